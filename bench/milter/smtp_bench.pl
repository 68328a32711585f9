#!/usr/bin/perl
# smtp_bench.pl - timed SMTP client for bench/milter.sh and the load test
# tests/integration/test_load.sh (core Perl modules only).
#
# usage: smtp_bench.pl [options] HOST:PORT LIST
#
#   --sessions N     parallel SMTP sessions (1)
#   --messages N     messages in all (default: the number of files in LIST)
#   --duration S     instead: send for S seconds; each session starts no
#                    new message after that and finishes the one it is on
#   --from ADDR      envelope sender (bench@example.org)
#   --to ADDR        envelope recipient (user@test.example)
#   --reconnect      a new SMTP connection for every message (default: one
#                    connection per session, RSET between messages)
#   --latencies FILE write every message's latency (ms), one a line
#
# LIST names the message files, one path a line. Message i (0-based) of the
# run is file i mod F of the list and goes to session i mod N, so that one
# session sends the list in order and N sessions share it round robin: every
# file of the list is used as long as MESSAGES >= F. A leading mbox "From "
# line is dropped; line ends become CRLF and lines starting with "." are
# dot-stuffed. Every file is read before the first connection.
#
# All sessions connect and greet first, then start together. Latency is the
# time from writing the final ".\r\n" of DATA to reading the last line of
# the server's reply. The sockets have TCP_NODELAY: without it the small
# ".\r\n" write waits for the ACK of the body the server delays, and every
# latency would include some 40 ms of the client's own making.
#
# Prints one line:
#   sent= accepted= rejected= deferred= errors= wall_s= msgs_per_s=
#   p50_ms= p90_ms= p99_ms= max_ms= mean_ms=
# wall_s runs from the common start to the last session's end; msgs_per_s
# = sent / wall_s. Percentiles are nearest-rank (the value at rank
# ceil(p * n) of the n sorted latencies). Exit status 0 when every message
# got a 2xx, 4xx or 5xx reply to its end of DATA, else 1.
use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::INET;
use POSIX qw(ceil _exit);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(time);

my ($sessions, $messages, $duration, $reconnect, $latfile) = (1, 0, 0, 0, '');
$SIG{PIPE} = 'IGNORE';
my ($from, $to) = ('bench@example.org', 'user@test.example');
GetOptions('sessions=i' => \$sessions, 'messages=i' => \$messages,
    'duration=f' => \$duration,
    'from=s' => \$from, 'to=s' => \$to, 'reconnect' => \$reconnect,
    'latencies=s' => \$latfile)
    or die "smtp_bench.pl: bad options\n";
die "usage: smtp_bench.pl [options] HOST:PORT LIST\n" unless @ARGV == 2;
my ($server, $list) = @ARGV;
die "smtp_bench.pl: --sessions must be at least 1\n" if $sessions < 1;

my @paths;
open(my $lh, '<', $list) or die "smtp_bench.pl: $list: $!\n";
while (my $p = <$lh>) {
	chomp $p;
	push @paths, $p if length $p;
}
close $lh;
die "smtp_bench.pl: $list names no file\n" unless @paths;
$messages = @paths if $messages <= 0 && $duration <= 0;

# The DATA of every file, ready to write (without the final ".").
my @data;
for my $p (@paths) {
	open(my $fh, '<', $p) or die "smtp_bench.pl: $p: $!\n";
	local $/;
	my $text = <$fh> // '';
	close $fh;
	$text =~ s/\AFrom [^\n]*\n//;
	$text =~ s/\r?\n/\r\n/g;
	$text .= "\r\n" unless $text =~ /\r\n\z/;
	$text =~ s/^\./../mg;
	push @data, $text;
}

# reply(SOCKET): the code of the server's reply (all lines read), or undef.
sub reply {
	my ($s) = @_;
	while (defined(my $line = <$s>)) {
		return substr($line, 0, 3) if substr($line, 3, 1) ne '-';
	}
	return undef;
}

sub cmd {
	my ($s, $line) = @_;
	print $s "$line\r\n" or return undef;
	return reply($s);
}

sub greet {
	my $s = IO::Socket::INET->new(PeerAddr => $server, Timeout => 600)
	    or return undef;
	setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1);
	$s->autoflush(1);
	my $c = reply($s);
	return undef unless defined $c && $c eq '220';
	$c = cmd($s, 'EHLO bench.test');
	return undef unless defined $c && $c eq '250';
	return $s;
}

sub quit {
	my ($s) = @_;
	cmd($s, 'QUIT');
	close $s;
}

# One session: sends its messages after GO closes; reports on OUT.
sub session {
	my ($id, $ready, $go, $out) = @_;
	my %c = map { $_ => 0 } qw(sent accepted rejected deferred errors);
	my @lat;
	my $s = greet();
	syswrite($ready, 'r');
	close $ready;
	sysread($go, my $buf, 1);	# returns at EOF: the common start
	close $go;
	my $deadline = $duration > 0 ? time + $duration : 0;
	for (my $i = $id; ; $i += $sessions) {
		last if $deadline ? time >= $deadline : $i >= $messages;
		$s //= greet();
		unless ($s) { $c{errors}++; next; }
		$c{sent}++;
		my $r = cmd($s, "MAIL FROM:<$from>");
		if (defined $r && $r =~ /^[45]/) {
			$c{$r =~ /^4/ ? 'deferred' : 'rejected'}++;
			cmd($s, 'RSET');
			next;
		}
		$r = cmd($s, "RCPT TO:<$to>") if defined $r && $r eq '250';
		$r = cmd($s, 'DATA') if defined $r && $r eq '250';
		if (!defined $r || $r ne '354') {
			$c{errors}++;
			close $s if $s;
			undef $s;
			next;
		}
		print $s $data[$i % @data];
		my $t0 = time;
		$r = cmd($s, '.');
		push @lat, (time - $t0) * 1000;
		if (!defined $r) { $c{errors}++; undef $s; next; }
		if ($r =~ /^2/) { $c{accepted}++; }
		elsif ($r =~ /^5/) { $c{rejected}++; }
		elsif ($r =~ /^4/) { $c{deferred}++; }
		else { $c{errors}++; }
		if ($reconnect) {
			quit($s);
			undef $s;
		} elsif (!defined cmd($s, 'RSET')) {
			undef $s;
		}
	}
	quit($s) if $s;
	print $out join(' ', map { "$_=$c{$_}" } sort keys %c), "\n";
	print $out join(' ', map { sprintf('%.3f', $_) } @lat), "\n";
	close $out;
}

pipe(my $go_r, my $go_w) or die "pipe: $!\n";
my (@readers, @readies);
for my $id (0 .. $sessions - 1) {
	pipe(my $rr, my $rw) or die "pipe: $!\n";
	pipe(my $or, my $ow) or die "pipe: $!\n";
	my $pid = fork() // die "fork: $!\n";
	if ($pid == 0) {
		close $go_w;
		close $rr;
		close $or;
		close $_ for @readers, @readies;
		session($id, $rw, $go_r, $ow);
		_exit(0);
	}
	close $rw;
	close $ow;
	push @readies, $rr;
	push @readers, $or;
}
close $go_r;
sysread($_, my $ready_byte, 1) for @readies;
close $_ for @readies;
my $start = time;
close $go_w;

my %tot = map { $_ => 0 } qw(sent accepted rejected deferred errors);
my @lat;
for my $r (@readers) {
	my $counts = <$r> // '';
	my $lats = <$r> // '';
	for (split ' ', $counts) {
		my ($k, $v) = split /=/;
		$tot{$k} += $v;
	}
	push @lat, split(' ', $lats);
	close $r;
}
my $wall = time - $start;
1 while wait() != -1;

if ($latfile ne '') {
	open(my $fh, '>', $latfile) or die "smtp_bench.pl: $latfile: $!\n";
	print $fh "$_\n" for @lat;
	close $fh;
}
@lat = sort { $a <=> $b } @lat;
my $pct = sub {
	return 0 unless @lat;
	my $k = ceil($_[0] * @lat);
	$k = 1 if $k < 1;
	return $lat[$k - 1];
};
my $sum = 0;
$sum += $_ for @lat;
printf "sent=%d accepted=%d rejected=%d deferred=%d errors=%d wall_s=%.3f " .
    "msgs_per_s=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " .
    "mean_ms=%.2f\n", @tot{qw(sent accepted rejected deferred errors)}, $wall,
    $wall > 0 ? $tot{sent} / $wall : 0, $pct->(0.5), $pct->(0.9),
    $pct->(0.99), @lat ? $lat[-1] : 0, @lat ? $sum / @lat : 0;
exit($tot{errors} == 0 && ($duration > 0 || $tot{sent} == $messages) ? 0 : 1);
