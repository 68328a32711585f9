#!/usr/bin/perl
# smtp_load.pl - send messages over parallel SMTP sessions and count the
# outcomes; perl-base only, for load tests and benchmarks.
#
# usage: smtp_load.pl HOST:PORT SESSIONS MESSAGES FROM TO FILE...
#
# SESSIONS processes each open one connection and send their share of
# MESSAGES over it (RSET between messages), taking the FILEs in turn. A
# reply to end of DATA of 2xx counts as accepted, 5xx as rejected, 4xx as
# deferred; anything else (a dropped connection) as an error, after which
# the session reconnects. Prints one line:
#   sent=N accepted=N rejected=N deferred=N errors=N
#   p50_ms=X p99_ms=X max_ms=X  (time from DATA's "." to the reply)
# Exit 0 when every message got a 2xx, 4xx or 5xx reply, else 1.
use strict;
use warnings;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(time);

die "usage: smtp_load.pl HOST:PORT SESSIONS MESSAGES FROM TO FILE...\n"
    if @ARGV < 6;
my ($server, $sessions, $messages, $from, $to, @files) = @ARGV;
my @bodies;
for my $f (@files) {
	open(my $fh, '<', $f) or die "smtp_load.pl: $f: $!\n";
	local $/;
	my $text = <$fh>;
	close $fh;
	$text =~ s/\r?\n/\r\n/g;
	$text .= "\r\n" unless $text =~ /\r\n\z/;
	$text =~ s/^\./../mg;
	push @bodies, $text;
}

sub reply {
	my ($s) = @_;
	my $code;
	while (defined(my $line = <$s>)) {
		$code = substr($line, 0, 3);
		return $code if substr($line, 3, 1) ne '-';
	}
	return undef;
}

sub cmd {
	my ($s, $line) = @_;
	print $s "$line\r\n";
	return reply($s);
}

sub connect_smtp {
	my $s = IO::Socket::INET->new(PeerAddr => $server, Timeout => 120)
	    or return undef;
	# Commands go out at once: Nagle's algorithm with the server's
	# delayed ACK would add 40 ms to each message and hide the filter.
	$s->setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
	$s->autoflush(1);
	my $c = reply($s);
	return undef unless defined $c && $c eq '220';
	$c = cmd($s, "EHLO load.test");
	return undef unless defined $c && $c eq '250';
	return $s;
}

# One session: returns its counts and latencies through a pipe.
sub session {
	my ($id, $n, $out) = @_;
	my %c = (sent => 0, accepted => 0, rejected => 0, deferred => 0,
	    errors => 0);
	my @lat;
	my $s = connect_smtp();
	for my $i (0 .. $n - 1) {
		my $body = $bodies[($id + $i) % @bodies];
		$s //= connect_smtp();
		unless ($s) { $c{errors}++; next; }
		$c{sent}++;
		my $r = cmd($s, "MAIL FROM:<$from>");
		if (!defined $r) { $c{errors}++; undef $s; next; }
		if ($r =~ /^4/) { $c{deferred}++; cmd($s, "RSET"); next; }
		if ($r =~ /^5/) { $c{rejected}++; cmd($s, "RSET"); next; }
		$r = cmd($s, "RCPT TO:<$to>");
		$r = cmd($s, "DATA") if defined $r && $r eq '250';
		if (!defined $r || $r ne '354') {
			$c{errors}++;
			undef $s;
			next;
		}
		print $s $body;
		my $t0 = time;
		$r = cmd($s, ".");	# the body went first; "." ends it
		push @lat, (time - $t0) * 1000;
		if (!defined $r) { $c{errors}++; undef $s; next; }
		if ($r =~ /^2/) { $c{accepted}++; }
		elsif ($r =~ /^5/) { $c{rejected}++; }
		elsif ($r =~ /^4/) { $c{deferred}++; }
		else { $c{errors}++; }
		cmd($s, "RSET");
	}
	cmd($s, "QUIT") if $s;
	print $out join(' ', map { "$_=$c{$_}" } sort keys %c), "\n";
	print $out join(' ', map { sprintf("%.3f", $_) } @lat), "\n";
	close $out;
}

my @readers;
for my $id (0 .. $sessions - 1) {
	my $n = int($messages / $sessions) +
	    ($id < $messages % $sessions ? 1 : 0);
	pipe(my $r, my $w) or die "pipe: $!\n";
	my $pid = fork() // die "fork: $!\n";
	if ($pid == 0) {
		close $r;
		session($id, $n, $w);
		exit 0;
	}
	close $w;
	push @readers, $r;
}
my %tot = (sent => 0, accepted => 0, rejected => 0, deferred => 0,
    errors => 0);
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
1 while wait() != -1;
@lat = sort { $a <=> $b } @lat;
my $q = sub {
	return 0 unless @lat;
	my $i = int($_[0] * (@lat - 1) + 0.5);
	return $lat[$i];
};
printf "sent=%d accepted=%d rejected=%d deferred=%d errors=%d " .
    "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", @tot{qw(sent accepted rejected
    deferred errors)}, $q->(0.5), $q->(0.99), @lat ? $lat[-1] : 0;
exit($tot{errors} == 0 && $tot{sent} == $messages ? 0 : 1);
