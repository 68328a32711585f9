#!/usr/bin/perl
# make_mmdb.pl - write the small MaxMind DB that tests/unit/test_geoip.c
# reads: a few networks with country codes, one with only a registered
# country, some with codes a reader must refuse, and special-purpose
# networks (private, loopback, documentation) that a reader must never
# look up. Run by ctest before the unit test: make_mmdb.pl OUT.mmdb
use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUT.mmdb\n";

my %types = (
	country            => 'map',
	registered_country => 'map',
	iso_code           => 'utf8_string',
	geoname_id         => 'uint32',
	names              => 'map',
	en                 => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 24,
	database_type            => 'WinnowTest-Country',
	languages                => ['en'],
	description              => { en => 'winnow GeoIP test data' },
	map_key_type_callback    => sub { $types{ $_[0] } },
	# IPv4 also under ::ffff:0:0/96, as in GeoLite2.
	alias_ipv6_to_ipv4       => 1,
	# The special-purpose networks below must be kept.
	remove_reserved_networks => 0,
);

# A fixed build date, so the description can be compared exactly.
$tree->_set_build_epoch(1793491200);	# 2026-11-01 00:00:00 UTC

sub country {
	my ($cc) = @_;
	return { iso_code => $cc, names => { en => "country $cc" } };
}

my @nets = (
	# Ordinary networks.
	[ '5.9.10.0/24',      { country => country('DE'),
	                        registered_country => country('DE') } ],
	[ '177.10.20.0/24',   { country => country('BR') } ],
	[ '2400:4000::/32',   { country => country('JP') } ],
	# Only the registry's country is known.
	[ '62.210.5.0/24',    { registered_country => country('FR') } ],
	# Codes a reader must refuse.
	[ '45.10.0.0/24',     { country => country('de') } ],
	[ '45.10.1.0/24',     { country => country('XYZ') } ],
	[ '45.10.2.0/24',     { country => country('') } ],
	[ '45.10.3.0/24',     { country => country("D\x{e9}") } ],
	[ '45.10.4.0/24',     { country => { names => { en => 'none' } } } ],
	# A bad country code, a good registered one.
	[ '45.10.5.0/24',     { country => country('??'),
	                        registered_country => country('SE') } ],
	# Special-purpose networks with data a lookup would find.
	[ '10.0.0.0/8',       { country => country('US') } ],
	[ '127.0.0.0/8',      { country => country('US') } ],
	[ '169.254.0.0/16',   { country => country('US') } ],
	[ '172.16.0.0/12',    { country => country('US') } ],
	[ '192.168.0.0/16',   { country => country('US') } ],
	[ '192.0.2.0/24',     { country => country('US') } ],
	[ '198.51.100.0/24',  { country => country('US') } ],
	[ '203.0.113.0/24',   { country => country('US') } ],
	[ '100.64.0.0/10',    { country => country('US') } ],
	[ '2001:db8::/32',    { country => country('US') } ],
	[ 'fe80::/10',        { country => country('US') } ],
	[ 'fc00::/7',         { country => country('US') } ],
	[ '::1/128',          { country => country('US') } ],
);
$tree->insert_network(@$_) for @nets;

make_path(dirname($out));
open my $fh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "$out.tmp: $!\n";
rename "$out.tmp", $out or die "$out: $!\n";
