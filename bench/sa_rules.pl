#!/usr/bin/perl
# sa_rules.pl - SpamAssassin's rule-only speed, through its Perl API.
#
#   sa_rules.pl --rules DIR [--scores OUT] [--work DIR] LIST
#
# LIST: message paths, one a line. DIR: the rule files (*.cf, and *.pre if
# any), as SpamAssassin's rules_filename. The site configuration is a fresh
# folder (--work DIR, default a temporary one) holding
#   rules.pre  loadplugin Check, ReplaceTags and MIMEHeader: the plugins
#              winnow implements, plus the one SpamAssassin needs to run
#              rules at all; no other plugin is loaded
#   local.cf   Bayes, auto-learning, AWL, TxRep and network tests off
#   tlds.cf    the top-level domain lists of Debian's 20_aux_tlds.cf
#              (util_rb_* lines only, no rules), when no file of DIR sets
#              util_rb_tld: SpamAssassin needs them to find URIs in text
# and user preferences are an empty file (never copied, never created).
#
# Every message is read into memory first. After compile_now, only the loop
# parse, check, get_score, finish is timed. Prints `key value` lines:
# messages, seconds, msgs_per_s, spam (score >= 5, the default
# required_score, same run), load_seconds (new + compile_now), and the
# rule counts of the loaded configuration. With --scores, OUT gets
# `path<TAB>score<TAB>rule,rule,...` per message, in LIST order.
use strict;
use warnings;
use Getopt::Long;
use File::Temp qw(tempdir);
use Time::HiRes qw(time);
use Mail::SpamAssassin;

my ($rules, $scores, $work);
GetOptions('rules=s' => \$rules, 'scores=s' => \$scores, 'work=s' => \$work)
    && $rules && @ARGV == 1
    or die "usage: sa_rules.pl --rules DIR [--scores OUT] [--work DIR] LIST\n";
-d $rules or die "sa_rules.pl: no folder $rules\n";

$work //= tempdir('sa_rules.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $site = "$work/site";
my $home = "$work/home";
for my $d ($work, $site, $home) { -d $d or mkdir $d or die "mkdir $d: $!\n" }
# A site folder of our own: nothing of /etc/spamassassin is read.
unlink glob("$site/*");

sub write_file {
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "sa_rules.pl: $path: $!\n";
	print $fh $text;
	close $fh or die "sa_rules.pl: $path: $!\n";
}

write_file("$site/rules.pre", <<'EOF');
# The plugins winnow implements, and Check, without which no rule runs.
loadplugin Mail::SpamAssassin::Plugin::Check
loadplugin Mail::SpamAssassin::Plugin::ReplaceTags
loadplugin Mail::SpamAssassin::Plugin::MIMEHeader
EOF
write_file("$site/local.cf", <<'EOF');
# Rules only: no Bayes, no learning, no reputation, nothing from the network.
use_bayes 0
use_bayes_rules 0
bayes_auto_learn 0
skip_rbl_checks 1
dns_available no
ifplugin Mail::SpamAssassin::Plugin::AWL
use_auto_whitelist 0
endif
ifplugin Mail::SpamAssassin::Plugin::TxRep
use_txrep 0
endif
EOF
write_file("$work/user_prefs", '');

# The TLD lists, unless the rule set brings its own.
my $tlds = '/usr/share/spamassassin/20_aux_tlds.cf';
my $has_tlds = 0;
for my $cf (glob("$rules/*.cf")) {
	open(my $fh, '<', $cf) or next;
	while (<$fh>) { if (/^\s*util_rb_tld\s/) { $has_tlds = 1; last } }
	close $fh;
	last if $has_tlds;
}
if (!$has_tlds && -f $tlds) {
	open(my $in, '<', $tlds) or die "sa_rules.pl: $tlds: $!\n";
	write_file("$site/tlds.cf", join '', grep { /^\s*(?:util_rb_|clear_util_rb|if\b|endif\b|#|$)/ } <$in>);
	close $in;
}

open(my $lf, '<', $ARGV[0]) or die "sa_rules.pl: $ARGV[0]: $!\n";
my @paths = grep { length } map { chomp; $_ } <$lf>;
close $lf;
my @msgs;
for my $p (@paths) {
	open(my $fh, '<:raw', $p) or die "sa_rules.pl: $p: $!\n";
	local $/;
	push @msgs, scalar <$fh>;
	close $fh;
}

my $t0 = time;
my $sa = Mail::SpamAssassin->new({
	rules_filename      => $rules,
	site_rules_filename => $site,
	userprefs_filename  => "$work/user_prefs",
	home_dir_for_helpers => $home,
	local_tests_only    => 1,
	dont_copy_prefs     => 1,
	require_rules       => 1,
});
$sa->compile_now(0, 1);
my $load = time - $t0;

# What got loaded: tests per type (eval: rules apart), and how many score.
my $conf = $sa->{conf};
my %count;
for my $name (keys %{ $conf->{test_types} || {} }) {
	my $t = $conf->{test_types}{$name} // 0;
	my $kind = $Mail::SpamAssassin::Conf::TYPE_AS_STRING{$t} // 'other';
	$kind = 'eval' if $t != $Mail::SpamAssassin::Conf::TYPE_META_TESTS && $t % 2;
	$count{$kind}++;
}
my $total = keys %{ $conf->{test_types} || {} };
my $scoring = grep { !/^__/ && ($conf->{scores}{$_} // 0) != 0 } keys %{ $conf->{test_types} || {} };

my (@score, @hits);
my $spam = 0;
my $t1 = time;
for my $m (@msgs) {
	my $mail = $sa->parse($m);
	my $st = $sa->check($mail);
	my $s = $st->get_score;
	$spam++ if $s >= 5;
	if ($scores) {
		push @score, $s;
		push @hits, $st->get_names_of_tests_hit;
	}
	$st->finish;
	$mail->finish;
}
my $secs = time - $t1;

if ($scores) {
	open(my $out, '>', $scores) or die "sa_rules.pl: $scores: $!\n";
	for my $i (0 .. $#paths) {
		print $out "$paths[$i]\t$score[$i]\t$hits[$i]\n";
	}
	close $out or die "sa_rules.pl: $scores: $!\n";
}
$sa->finish;

printf "messages %d\n", scalar @msgs;
printf "seconds %.3f\n", $secs;
printf "msgs_per_s %.2f\n", $secs > 0 ? @msgs / $secs : 0;
printf "spam %d\n", $spam;
printf "load_seconds %.3f\n", $load;
printf "tests %d\n", $total;
printf "scoring_tests %d\n", $scoring;
printf "%s_tests %d\n", $_, $count{$_} for sort keys %count;
printf "version %s\n", Mail::SpamAssassin::Version();
