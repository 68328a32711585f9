# winnow-repository: Criterion unit tests (report validation, envelopes,
# aggregates, CSV; rule-set channels; bulk sharing), the helpers of the integration
# tests, and the integration tests that run the service against SQLite
# and a real PostgreSQL. Included from tests/CMakeLists.txt.
if(TARGET winnow-repository-core)
	add_executable(test_repository unit/test_repository.c)
	target_link_libraries(test_repository PRIVATE winnow-repository-core
		PkgConfig::CRITERION)

	add_test(NAME unit_repository COMMAND test_repository --jobs 1)
	set_tests_properties(unit_repository PROPERTIES LABELS unit
		TIMEOUT 300)

	add_executable(test_repository_rulesets
		unit/test_repository_rulesets.c)
	target_link_libraries(test_repository_rulesets PRIVATE
		winnow-repository-core PkgConfig::CRITERION)
	add_test(NAME unit_repository_rulesets
		COMMAND test_repository_rulesets --jobs 1)
	set_tests_properties(unit_repository_rulesets PROPERTIES LABELS unit
		TIMEOUT 300)

	# Cooperative bulk sharing: the report field, the keys' store, the
	# feed's threshold, window, blocks, ETag/304/404, schema 2 -> 3.
	add_executable(test_repository_bulk unit/test_repository_bulk.c)
	target_link_libraries(test_repository_bulk PRIVATE
		winnow-repository-core PkgConfig::CRITERION)
	add_test(NAME unit_repository_bulk
		COMMAND test_repository_bulk --jobs 1)
	set_tests_properties(unit_repository_bulk PROPERTIES LABELS unit
		TIMEOUT 300)

	add_executable(repo_tool integration/repo_tool.c)
	target_link_libraries(repo_tool PRIVATE winnow)

	add_test(NAME integration_repository
		COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_repository.sh
			$<TARGET_FILE:winnow-repository> $<TARGET_FILE:repo_tool>
			${PROJECT_SOURCE_DIR})
	set_tests_properties(integration_repository PROPERTIES
		LABELS integration SKIP_RETURN_CODE 77 RUN_SERIAL TRUE
		TIMEOUT 900)

	# Rule-set channels over HTTP: maintainers, publish, promote, read,
	# every refusal, the dashboard's section; SQLite and PostgreSQL.
	add_executable(ruleset_tool integration/ruleset_tool.c)
	target_link_libraries(ruleset_tool PRIVATE winnow)

	add_test(NAME integration_repository_rulesets
		COMMAND sh
			${CMAKE_CURRENT_SOURCE_DIR}/integration/test_repository_rulesets.sh
			$<TARGET_FILE:winnow-repository> $<TARGET_FILE:winnow-cli>
			${PROJECT_SOURCE_DIR} $<TARGET_FILE:ruleset_tool>
			$<TARGET_FILE:repo_tool>)
	set_tests_properties(integration_repository_rulesets PROPERTIES
		LABELS integration SKIP_RETURN_CODE 77 RUN_SERIAL TRUE
		TIMEOUT 300)
endif()
