# The regulator's dashboard (repository/dashboard.c, svg.c, agg_util.c):
# Criterion unit tests, and a fixture page rendered in headless Chromium.
# Included from tests/CMakeLists.txt; the renderer is linked from
# winnow-repository-core.

add_executable(test_dashboard unit/test_dashboard.c)
target_link_libraries(test_dashboard PRIVATE winnow-repository-core
	PkgConfig::CRITERION)
add_test(NAME unit_dashboard COMMAND test_dashboard --jobs 1)
set_tests_properties(unit_dashboard PROPERTIES LABELS unit TIMEOUT 300)

# A month of made-up statistics written as a page, checked in Chromium's
# DOM and screenshotted (dashboard_fixture.png in this build folder).
add_executable(dashboard_fixture integration/dashboard_fixture.c)
target_link_libraries(dashboard_fixture PRIVATE winnow-repository-core)
add_test(NAME integration_dashboard_fixture
	COMMAND sh
		${CMAKE_CURRENT_SOURCE_DIR}/integration/test_dashboard_fixture.sh
		$<TARGET_FILE:dashboard_fixture> ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(integration_dashboard_fixture PROPERTIES
	LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
