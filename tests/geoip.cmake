# GeoIP (lib/geoip.c): the unit test reads a MaxMind DB written at test
# time by tests/data/geoip/make_mmdb.pl (MaxMind::DB::Writer, from
# libmaxmind-db-writer-perl), so no binary database is kept in git; the
# legacy cases read Debian's geoip-database files when they are installed.
find_program(WN_PERL perl REQUIRED)
set(WN_GEOIP_MMDB ${CMAKE_CURRENT_BINARY_DIR}/data/geoip/test.mmdb)

add_test(NAME geoip_make_mmdb
	COMMAND ${WN_PERL} ${WN_TEST_DATA}/geoip/make_mmdb.pl ${WN_GEOIP_MMDB})
set_tests_properties(geoip_make_mmdb PROPERTIES LABELS unit TIMEOUT 120
	FIXTURES_SETUP geoip_mmdb)

add_executable(test_geoip unit/test_geoip.c)
target_link_libraries(test_geoip PRIVATE winnow PkgConfig::CRITERION)
target_compile_definitions(test_geoip PRIVATE
	WN_TEST_DATA="${WN_TEST_DATA}"
	WN_GEOIP_MMDB="${WN_GEOIP_MMDB}")
add_test(NAME unit_geoip COMMAND test_geoip --jobs 1)
set_tests_properties(unit_geoip PROPERTIES LABELS unit TIMEOUT 300
	FIXTURES_REQUIRED geoip_mmdb)
