/**
 * The launcher: one small, long-lived process per nslab run (per lab lock) that starts processes
 * from argv arrays (no shell: `exec` of the argv as given) and hands back their exit status,
 * stdout and stderr.
 *
 * Why: node:child_process.spawn runs synchronously on the calling thread: it forks nslab's
 * process (whose heap grows with the lab) and waits for the child's exec, milliseconds each on a
 * virtual machine. The launcher is a Perl program (perl-base is part of every Debian and Ubuntu
 * system; where there is no perl, nslab spawns directly): it starts in a few milliseconds, its
 * forks copy a few megabytes of page tables, and nslab's main thread parses output while the
 * launcher starts the next `ip`. Requests may be written before perl has started: they wait in
 * the pipe.
 *
 * - Holding the lock: the launcher of a locked run takes the lab lock itself (lock(): it opens
 *   the lock file and flocks it) and lends the descriptor to the children that ask for it, so an
 *   orphaned `ip` keeps the lab locked; the lock ends with the launcher and those children.
 *   Started before nslab knows which lab it runs (see runner.ts spareLauncher), its start
 *   overlaps with loading the lab.
 * - One child at a time (launcherParallel): requests wait their turn in the launcher, in order,
 *   and the next starts as soon as one ends. Then the children are started by a dash the
 *   launcher starts once (launcherUsesDash; the spawner in SCRIPT): dash starts each with vfork,
 *   which copies nothing, where a fork of the launcher copies its page tables and every page
 *   written before the exec. Measured on 2 cores (chain-300, interleaved A/B against
 *   NSLAB_DASH=0): apply 0.64x the wall time and 0.66x the CPU, no-op plan 0.66x and 0.65x.
 *   Where the launcher forks children itself, it and its children keep to one CPU, and after
 *   each fork it waits for the child's exec before it goes on: a fork makes the launcher's pages
 *   copy-on-write, and every page written while they are shared is copied, with a TLB flush on
 *   each CPU the process ran on (interrupts to the other CPUs, costly on a virtual machine).
 *   Measured on 2 cores (chain-300, interleaved A/B): apply 0.76x the wall time and 0.67x the CPU
 *   of the launcher without both.
 * - Deadlines: nslab keeps the timers, each from its child's start (the launcher says when); at
 *   a deadline it asks the launcher to kill the child's process group.
 * - Dying with nslab: the launcher reads requests from its stdin; at EOF (nslab ended, however:
 *   the kernel closes the pipe) it kills every running child's process group and exits. That is
 *   what `setpriv --pdeathsig KILL` around each write did, without a wrapper process.
 * - Ctrl-C: the launcher runs in its own session and every child in its own process group, so
 *   the terminal's SIGINT reaches nslab only (which stops at a safe point).
 *
 * - Entering a namespace: where the launcher forks a child itself, `nsenter --net=FILE CMD…` is
 *   run as nsenter runs it (the child calls setns(2) on FILE, then execs CMD), without the
 *   nsenter process. (`ip -n NS` does more: it also unshares the mount namespace and mounts a new
 *   /sys, which costs more the longer the mount table; nslab's commands need neither.) dash runs
 *   nsenter itself: see inLocation in runner.ts for when nslab asks for `ip -n` instead.
 *
 * Protocol (bytes; lengths in bytes):
 *   request  `S <id> <hold 0|1> <argc> <len>\n` + each argument followed by NUL, then stdin
 *            (len counts all of it); `K <id>\n` kills the process group of that request's child;
 *            `L <id> <len>\n` + a path: flock that file, exclusive, without waiting (exit 75: busy)
 *   answer   `<id> b 0 0 0\n` (the child began: nothing more), then the end:
 *            `<id> x <code> <outLen> <errLen>\n` (exited), `<id> s <signal number> …` (killed),
 *            `<id> e 0 0 <errLen>\n` (not started; stderr says why), then stdout, then stderr
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

/** The launcher's own code, run with `perl -e` (only modules of perl-base). */
const SCRIPT = String.raw`
use strict; use warnings;
use Fcntl qw(F_GETFL F_SETFL F_SETFD FD_CLOEXEC O_NONBLOCK O_RDWR O_CREAT O_EXCL O_NOFOLLOW LOCK_EX LOCK_NB);
use Config; # POSIX is not loaded: it costs more than the rest of the launcher's start
# setns(2)'s number where perl-base cannot tell it (no syscall.ph): x86_64 and the generic table.
my $ARCH = (split /-/, $Config{archname})[0];
my $SETNS = { x86_64 => 308, aarch64 => 268, riscv64 => 268 }->{$ARCH};
# Handlers, not IGNORE (exec resets handlers); SIGCHLD's interrupts select when a child exits.
$SIG{$_} = sub {} for qw(INT TERM HUP PIPE CHLD);
binmode STDIN; binmode STDOUT;
{ my $f = fcntl(STDOUT, F_GETFL, 0); fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK) }
# The lab lock's file, once a request took it: lent to the children that ask for it.
my ($lock, $lockPath);
my (%kid, %byid, %path, @queue);
my $sp;    # the spawner (see below): { pid, w (requests), r (answers), buf, out, fed => [...], killed => id }
my @slots; # its free file slots: [in, out, err] handles
my $max = ($ARGV[0] // 0) + 0;
# dash's path: with one child at a time, children are started by a dash (see spawner below).
my $DASH = $max == 1 ? ($ARGV[1] // '') : '';
# One child at a time: the launcher and its children keep to one CPU (the last one allowed). Every
# fork makes this process's pages copy-on-write, and each page written after it faults; a process
# that ran on several CPUs pays a TLB flush on each of them per fault (an interrupt to every other
# CPU, costly on a virtual machine); on one CPU the flush stays local.
if ($max == 1) {
  my ($get, $set) = @{ { x86_64 => [204, 203], aarch64 => [123, 122], riscv64 => [123, 122] }->{$ARCH} // [] };
  my $mask = "\0" x 128;
  if ($get && syscall($get, 0, 128, $mask) > 0) {
    my @cpus = grep { vec($mask, $_, 1) } 0 .. 1023;
    if (@cpus > 1) { my $one = "\0" x 128; vec($one, $cpus[0], 1) = 1; syscall($set, 0, 128, $one) }
  }
}
my $in = '';
sub nb { my $f = fcntl($_[0], F_GETFL, 0); fcntl($_[0], F_SETFL, $f | O_NONBLOCK) }
sub bye {
  kill('KILL', -$_->{pid}) for grep { !defined $_->{st} } values %kid;
  # An idle dash ends at the end of its input; waited for, so that its CPU counts as this one's.
  if ($sp) { if (@{ $sp->{fed} }) { kill('KILL', -$sp->{pid}) } else { close $sp->{w} } waitpid($sp->{pid}, 0) }
  exit 0;
}
# Answers go out without blocking: what the pipe does not take now waits in $out, so a busy
# nslab never holds up the children that are still to start.
my $out = '';
sub flush {
  while (length $out) {
    my $n = syswrite(STDOUT, $out);
    if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; bye() }
    substr($out, 0, $n, '');
  }
}
sub put { $out .= shift; flush() }
sub reply { my ($id, $k, $v, $o, $e) = @_; put("$id $k $v " . length($o) . ' ' . length($e) . "\n" . $o . $e) }
sub which {
  my $c = shift;
  return ((-f $c && -x _) ? $c : undef) if $c =~ m{/};
  return $path{$c} //= do {
    my $r;
    for my $d (split /:/, $ENV{PATH} // '/usr/sbin:/usr/bin:/sbin:/bin') {
      my $p = ($d eq '' ? '.' : $d) . "/$c";
      if (-f $p && -x _) { $r = $p; last }
    }
    $r;
  };
}
sub start {
  my ($id, $hold, $argv, $input) = @_;
  my $ns;
  # nsenter --net=FILE CMD...: done here as nsenter does it (setns, then exec), without nsenter.
  if ($SETNS && @$argv > 2 && $argv->[0] =~ m{(^|/)nsenter$} && $argv->[1] =~ /^--net=(.+)$/s) {
    $ns = $1;
    $argv = [@$argv[2 .. $#$argv]];
  }
  my $p = which($argv->[0]);
  return reply($id, 'e', 0, '', "spawn $argv->[0] ENOENT") unless defined $p;
  my ($ir, $iw, $or, $ow, $er, $ew, $xr, $xw);
  return reply($id, 'e', 0, '', "pipe: $!") unless pipe($ir, $iw) && pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw);
  # The input goes into the pipe before the fork (as much as the pipe takes; the rest through the
  # loop below), so the child finds it there at once.
  nb($iw);
  if (length $input) { my $w = syswrite($iw, $input); substr($input, 0, $w, '') if $w }
  my $pid = fork;
  return reply($id, 'e', 0, '', "fork: $!") unless defined $pid;
  if (!$pid) {
    setpgrp(0, 0);
    open(STDIN, '<&', $ir); open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew);
    fcntl($lock, F_SETFD, 0) if $hold && $lock; # perl opens files close-on-exec
    if (defined $ns) {
      my $f;
      if (!open($f, '<', $ns)) { syswrite(STDERR, "nsenter: cannot open $ns: $!\n"); exit 1 }
      if (syscall($SETNS, fileno($f), 0x40000000) != 0) { syswrite(STDERR, "nsenter: reassociate to namespace 'ns/net' failed: $!\n"); exit 1 }
      close $f;
    }
    exec { $p } @$argv;
    syswrite(STDERR, "exec $argv->[0]: $!\n");
    exit 127;
  }
  close $ir; close $ow; close $ew; close $xw;
  # Wait until the child has exec'd (its copy of $xw, close-on-exec, closes then): until then it
  # shares this process's memory copy-on-write, and every page written here meanwhile is copied
  # (with a TLB flush on every CPU this process ran on: costly on a virtual machine).
  1 while !defined(sysread($xr, my $x, 1)) && $!{EINTR};
  close $xr;
  put("$id b 0 0 0\n"); # begun: nslab counts the child's deadline from here
  nb($or); nb($er);
  my $r = { id => $id, pid => $pid, iw => $iw, or => $or, er => $er, in => $input, o => '', e => '' };
  $kid{$pid} = $byid{$id} = $r;
  if ($input eq '') { close $iw; delete $r->{iw} }
}
sub requests {
  while ((my $nl = index($in, "\n")) >= 0) {
    my @h = split / /, substr($in, 0, $nl);
    if ($h[0] eq 'L') { # L id len, then the lock file's path: flock it (not waiting), keep it
      last if length($in) < $nl + 1 + $h[2];
      my $path = substr($in, $nl + 1, $h[2]);
      substr($in, 0, $nl + 1 + $h[2], '');
      if (defined $lockPath && $lockPath ne $path) { reply($h[1], 'e', 0, '', "this launcher holds another lock"); next }
      if (!$lock) {
        my $f;
        if (!sysopen($f, $path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600)) { reply($h[1], 'e', 0, '', "open $path: $!"); next }
        ($lock, $lockPath) = ($f, $path);
      }
      if (flock($lock, LOCK_EX | LOCK_NB)) {
        # A dash started before the lock would not lend it to its children: the next one will.
        if ($sp && !@{ $sp->{fed} }) { kill('KILL', -$sp->{pid}); waitpid($sp->{pid}, 0); undef $sp }
        reply($h[1], 'x', 0, '', '');
      }
      elsif ($!{EWOULDBLOCK}) { reply($h[1], 'x', 75, '', '') }
      else { reply($h[1], 'e', 0, '', "flock $path: $!") }
      next;
    }
    if ($h[0] eq 'K') {
      my $r = $byid{$h[1]};
      kill('KILL', -$r->{pid}) if $r && !defined $r->{st};
      if ($sp && @{ $sp->{fed} } && $sp->{fed}[0]{q}[0] eq $h[1]) {
        spread(); # an answer already in the pipe: then the request is not running any more
        if ($sp && @{ $sp->{fed} } && $sp->{fed}[0]{q}[0] eq $h[1]) { $sp->{killed} = $h[1]; kill('KILL', -$sp->{pid}) }
      }
      substr($in, 0, $nl + 1, '');
      next;
    }
    last if length($in) < $nl + 1 + $h[4];
    my $payload = substr($in, $nl + 1, $h[4]);
    substr($in, 0, $nl + 1 + $h[4], '');
    my ($pos, @argv) = (0);
    for (1 .. $h[3]) { my $z = index($payload, "\0", $pos); push @argv, substr($payload, $pos, $z - $pos); $pos = $z + 1 }
    push @queue, [$h[1], $h[2], \@argv, substr($payload, $pos)];
  }
}
# The spawner: with one child at a time, a dash started once (by one fork of this process, in
# its own process group) starts the children: dash starts a command with vfork(2), which copies
# nothing of the parent, where a fork of this perl copies its page tables and every page it
# writes afterwards (milliseconds per child on a virtual machine). dash gets each argv one
# argument per line (an argument with a newline is started here instead) and runs it as "$@":
# no word of it is parsed by the shell. stdin, stdout and stderr are files this process made
# and unlinked at once (a private directory, removed at once), which dash opens through
# /proc/PID/fd: nothing is left behind however this process ends. Two requests are handed to
# dash at a time, so that the next starts as soon as one ends; a deadline kills dash's process
# group (dash and its child), and what was handed over but not begun goes to a new dash.
# dash's children inherit the lab lock (all of them: a launcher that holds the lock runs only
# the lock's children).
# (Its variables carry a prefix that nslab removes from the launcher's environment: an exported
# variable of the same name would change for the children as dash sets it.)
my $SPAWN = 'nslab_p=$1
while read -r nslab_id nslab_i nslab_o nslab_e nslab_n; do
  set --
  while [ "$nslab_n" -gt 0 ]; do IFS= read -r nslab_a; set -- "$@" "$nslab_a"; nslab_n=$((nslab_n-1)); done
  if [ "$nslab_i" = - ]; then nslab_i=/dev/null; else nslab_i=/proc/$nslab_p/fd/$nslab_i; fi
  "$@" <"$nslab_i" >"/proc/$nslab_p/fd/$nslab_o" 2>"/proc/$nslab_p/fd/$nslab_e"
  echo "$nslab_id $?"
done';
sub slotfiles {
  for my $base ('/dev/shm', '/run', '/tmp') {
    next unless -d $base && -w _;
    for (1 .. 10) {
      my $d = sprintf('%s/nslab-launcher-%d-%08x', $base, $$, int(rand(2 ** 32)));
      next unless mkdir($d, 0700);
      my @f;
      for my $n (0 .. 5) { sysopen(my $f, "$d/$n", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600) or last; unlink("$d/$n"); push @f, $f }
      rmdir $d;
      return @f == 6 ? ([@f[0 .. 2]], [@f[3 .. 5]]) : ();
    }
  }
  return ();
}
sub spstart {
  @slots = slotfiles() unless @slots;
  return $DASH = '' unless @slots == 2; # no private files: children are started here
  my ($rq, $wq, $ra, $wa);
  return $DASH = '' unless pipe($rq, $wq) && pipe($ra, $wa);
  my $me = $$;
  my $pid = fork;
  return $DASH = '' unless defined $pid;
  if (!$pid) {
    setpgrp(0, 0);
    open(STDIN, '<&', $rq); open(STDOUT, '>&', $wa);
    fcntl($lock, F_SETFD, 0) if $lock;
    exec { $DASH } 'dash', '-c', $SPAWN, 'nslab-spawner', $me;
    exit 127;
  }
  close $rq; close $wa;
  nb($wq); nb($ra);
  $sp = { pid => $pid, w => $wq, r => $ra, buf => '', out => '', fed => [] };
  return 1;
}
# Whether dash can start this request: its arguments have no newline, its command is found.
sub dashable {
  my $argv = $_[0][2];
  return 0 if grep { index($_, "\n") >= 0 } @$argv;
  return defined which($argv->[0]);
}
sub spfeed {
  my ($id, undef, $argv, $input) = @{ $_[0] }; # hold: dash's children all hold what it holds
  my $slot = shift @slots;
  my ($fi, $fo, $fe) = @$slot;
  my $i = '-';
  if (length $input) {
    truncate($fi, 0); sysseek($fi, 0, 0);
    my $w = 0;
    while ($w < length $input) {
      my $n = syswrite($fi, $input, length($input) - $w, $w);
      if (!$n) { push @slots, $slot; return reply($id, 'e', 0, '', "input: $!") }
      $w += $n;
    }
    $i = fileno($fi);
  }
  my @a = @$argv;
  $a[0] = which($a[0]);
  push @{ $sp->{fed} }, { q => $_[0], slot => $slot };
  put("$id b 0 0 0\n") if @{ $sp->{fed} } == 1; # begun now (dash was idle); else when the one before ends
  $sp->{out} .= join("\n", "$id $i " . fileno($fo) . ' ' . fileno($fe) . ' ' . scalar(@a), @a) . "\n";
  spflush();
}
sub spflush {
  while (length $sp->{out}) {
    my $n = syswrite($sp->{w}, $sp->{out});
    return if !defined $n && ($!{EAGAIN} || $!{EINTR});
    return spdead() unless defined $n;
    substr($sp->{out}, 0, $n, '');
  }
}
# dash's answers (non-blocking); at its end, spdead.
sub spread {
  my $got = sysread($sp->{r}, my $b, 65536);
  return if !defined $got && ($!{EAGAIN} || $!{EINTR});
  if ($got) { $sp->{buf} .= $b; return spanswers() }
  spanswers();
  spdead();
}
sub slurp { my $f = shift; sysseek($f, 0, 0); my $s = ''; 1 while sysread($f, $s, 65536, length $s); $s }
sub spanswers {
  while ((my $nl = index($sp->{buf}, "\n")) >= 0) {
    my ($id, $code) = split / /, substr($sp->{buf}, 0, $nl);
    substr($sp->{buf}, 0, $nl + 1, '');
    my $f = $sp->{fed}[0];
    next unless $f && $f->{q}[0] eq $id;
    shift @{ $sp->{fed} };
    $sp->{answered} = 1;
    my ($o, $e) = (slurp($f->{slot}[1]), slurp($f->{slot}[2]));
    push @slots, $f->{slot};
    # dash reports a child ended by signal N as 128+N (no command nslab runs exits with 129 to 192).
    if ($code > 128 && $code <= 192) { reply($id, 's', $code - 128, $o, $e) } else { reply($id, 'x', $code, $o, $e) }
    put("$sp->{fed}[0]{q}[0] b 0 0 0\n") if @{ $sp->{fed} };
  }
}
# dash ended (killed at a deadline, or otherwise): the request it was running fails, the ones
# handed over after it wait for the next dash.
sub spdead {
  return unless $sp;
  my $s = $sp; undef $sp;
  # Not reaped before this (see the main loop): its process group's number is still its own.
  kill('KILL', -$s->{pid});
  waitpid($s->{pid}, 0);
  my $st = $?;
  my @fed = @{ $s->{fed} };
  push @slots, map { $_->{slot} } @fed;
  if (!$s->{answered} && ($st >> 8) == 127) { $DASH = ''; unshift @queue, map { $_->{q} } @fed; return } # dash did not start
  if (my $f = shift @fed) {
    my $id = $f->{q}[0];
    # (A request that ended just before the kill, unseen, leaves the next one here: it fails too.)
    if (defined $s->{killed} && $s->{killed} eq $id) { reply($id, 's', 9, '', '') } else { reply($id, 'e', 0, '', "nslab's spawner (dash) ended") }
  }
  unshift @queue, map { $_->{q} } @fed;
}
# At most $max children at once (0: no limit); the others wait here, in order.
sub drain {
  while (@queue) {
    if ($DASH && !%kid && dashable($queue[0]) && ($sp || spstart())) { last if @{ $sp->{fed} } >= 2; spfeed(shift @queue); next }
    last if ($sp && @{ $sp->{fed} }) || ($max && keys(%kid) >= $max);
    start(@{ shift @queue });
  }
}
while (1) {
  # 1: WNOHANG. While there is a dash, only this process's own children are waited for here: dash
  # is reaped where its process group is killed (spdead), so that the group's number cannot have
  # passed to another process by then.
  if ($sp) { for my $p (keys %kid) { $kid{$p}{st} = $? if waitpid($p, 1) > 0 } }
  else { while ((my $p = waitpid(-1, 1)) > 0) { $kid{$p}{st} = $? if $kid{$p} } }
  my $poll;
  for my $r (values %kid) {
    next if $r->{or} || $r->{er};
    if (!defined $r->{st}) { $poll = 1; next } # output closed, exit not seen yet
    my $st = $r->{st};
    if ($st & 127) { reply($r->{id}, 's', $st & 127, $r->{o}, $r->{e}) } else { reply($r->{id}, 'x', $st >> 8, $r->{o}, $r->{e}) }
    delete $kid{$r->{pid}}; delete $byid{$r->{id}};
  }
  drain();
  my ($rin, $win) = ('', '');
  vec($rin, fileno(STDIN), 1) = 1;
  vec($win, fileno(STDOUT), 1) = 1 if length $out;
  if ($sp) { vec($rin, fileno($sp->{r}), 1) = 1; vec($win, fileno($sp->{w}), 1) = 1 if length $sp->{out} }
  for my $r (values %kid) {
    vec($rin, fileno($r->{or}), 1) = 1 if $r->{or};
    vec($rin, fileno($r->{er}), 1) = 1 if $r->{er};
    vec($win, fileno($r->{iw}), 1) = 1 if $r->{iw};
  }
  # A child whose exit came just before select began wakes nobody: hence a short timeout then.
  my $n = select(my $rout = $rin, my $wout = $win, undef, $poll ? 0.005 : undef);
  next if $n <= 0;
  flush() if length $out && vec($wout, fileno(STDOUT), 1);
  spflush() if $sp && length $sp->{out} && vec($wout, fileno($sp->{w}), 1);
  spread() if $sp && vec($rout, fileno($sp->{r}), 1);
  for my $r (values %kid) {
    if ($r->{iw} && vec($wout, fileno($r->{iw}), 1)) {
      my $w = syswrite($r->{iw}, $r->{in});
      substr($r->{in}, 0, $w, '') if defined $w;
      if ((!defined $w && !$!{EAGAIN} && !$!{EINTR}) || $r->{in} eq '') { close $r->{iw}; delete $r->{iw} }
    }
    for my $k (['or', 'o'], ['er', 'e']) {
      my $f = $r->{$k->[0]};
      next unless $f && vec($rout, fileno($f), 1);
      my $got = sysread($f, my $b, 65536);
      if ($got) { $r->{$k->[1]} .= $b }
      elsif (defined $got || (!$!{EAGAIN} && !$!{EINTR})) { close $f; delete $r->{$k->[0]} }
    }
  }
  if (vec($rout, fileno(STDIN), 1)) {
    my $got = sysread(STDIN, my $b, 262144);
    bye() if defined $got && $got == 0;
    if ($got) { $in .= $b; requests() }
  }
}
`;

/** perl, if the machine has it (perl-base is essential on Debian and Ubuntu). */
const PERL = ['/usr/bin/perl', '/bin/perl'].find((p) => existsSync(p));

/** dash, if the machine has it (essential on Debian and Ubuntu): the launcher's spawner. */
const DASH = ['/usr/bin/dash', '/bin/dash'].find((p) => existsSync(p));

/**
 * Whether a launcher here starts its children through dash (one child at a time, dash installed,
 * NSLAB_DASH not 0): then entering a namespace is `nsenter` or `ip -n`, a process either way.
 */
export const launcherUsesDash = (): boolean => DASH !== undefined && process.env.NSLAB_DASH !== '0' && launcherParallel() === 1;

/**
 * How many children a launcher runs at once: NSLAB_PARALLEL, default 1 (0: no limit). nslab keeps
 * several requests in flight, so the next child starts as soon as one ends, without a round trip.
 * Measured on 2 cores (chain-300, A/B): one at a time took the same wall time as 2 or 8 at once
 * and 0.6x their CPU: the kernel serializes link changes, and `ip` processes started side by
 * side only contend.
 */
export function launcherParallel(): number {
  const v = process.env.NSLAB_PARALLEL;
  return v !== undefined && /^\d+$/u.test(v) ? Number(v) : 1;
}

/** Whether a launcher can be started on this machine. */
export const launcherAvailable = (): boolean => PERL !== undefined;

/** Whether the launcher enters namespaces itself (it knows setns(2)'s number on this architecture). */
export const launcherEnters = (): boolean => PERL !== undefined && ['x64', 'arm64', 'riscv64'].includes(process.arch);

/**
 * The launcher's environment (its children's too): nslab's, without the variables that make perl
 * load code from elsewhere (PERL5LIB, PERL5OPT, PERLLIB, PERL5DB…): it runs as root. Also without
 * `nslab_*` variables: those are the launcher's dash's own (an exported one would change for the
 * children as dash sets it).
 */
function launcherEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PERL|nslab_)/u.test(k)));
}

const SIGNALS = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

export interface LaunchRequest {
  readonly argv: readonly string[];
  readonly input?: string;
  /** Lend the child the lab lock the launcher took (see lock()). */
  readonly hold?: boolean;
  readonly ms: number;
}

export interface LaunchResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

interface Pending {
  readonly resolve: (r: LaunchResult) => void;
  readonly reject: (e: Error) => void;
  /** The child's deadline in ms, counted from its start (not from the request: it may wait its turn). */
  readonly ms?: number;
  timer?: NodeJS.Timeout;
  timedOut: boolean;
}

/**
 * The words that start a launcher on another machine, for its login shell there (see
 * remote/ssh.ts): perl with a clean environment (no PERL* variables, a PATH with the sbin
 * directories), the same script.
 */
export function remoteLauncherArgv(): string[] {
  return ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'perl', '-e', SCRIPT, String(launcherParallel())];
}

/** One launcher process. Requests may be made at once; they wait in the pipe until perl runs. */
export class Launcher {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private dead: Error | undefined;
  private buf: Buffer = Buffer.alloc(0);

  /** Whether this launcher took a lab lock (see lock()): it holds it until it ends. */
  locked = false;

  /** `command`: the argv that starts it elsewhere (ssh …, see remoteLauncherArgv); default: perl here. */
  constructor(command?: readonly string[]) {
    const stdio: Array<'pipe' | 'ignore'> = ['pipe', 'pipe', 'ignore'];
    if (command) {
      this.child = spawn(command[0]!, command.slice(1), { detached: true, stdio });
    } else {
      if (!PERL) throw new Error('no perl on this machine: nslab starts its processes directly');
      this.child = spawn(PERL, ['-e', SCRIPT, String(launcherParallel()), launcherUsesDash() ? DASH! : ''], { detached: true, stdio, env: launcherEnv() });
    }
    this.exited = new Promise<void>((res) => this.child.on('exit', () => res()));
    this.child.on('error', (e) => this.fail(new Error(`could not start nslab's launcher: ${e.message}`, { cause: e })));
    this.child.on('exit', (code, signal) => this.fail(new Error(`nslab's launcher ended (${signal ?? `exit ${code}`})`)));
    this.stdin.on('error', () => undefined);
    this.stdout.on('data', (d: Buffer) => this.read(d));
    this.idle();
  }

  private get stdin(): Writable {
    return this.child.stdin!;
  }

  private get stdout(): Readable {
    return this.child.stdout!;
  }

  /** The launcher's pid (for tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Runs one request; rejects only when the launcher itself fails or the command cannot start. */
  run(req: LaunchRequest): Promise<LaunchResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (req.argv.length === 0 || req.argv.some((a) => a.includes('\0'))) return Promise.reject(new Error(`cannot run ${JSON.stringify(req.argv)}: an empty command or a NUL byte in an argument`));
    const payload = Buffer.from(`${req.argv.join('\0')}\0${req.input ?? ''}`);
    const id = this.nextId++;
    return new Promise<LaunchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ms: req.ms, timedOut: false });
      this.busy();
      this.stdin.write(`S ${id} ${req.hold ? 1 : 0} ${req.argv.length} ${payload.length}\n`);
      this.stdin.write(payload);
    });
  }

  /**
   * Takes the lab lock: `flock(2)`, exclusive, on the file at `path`, opened (and created) by the
   * launcher, which holds it until it ends and lends it to the children run with `hold`. Does not
   * wait: 'busy' when another process holds it.
   */
  lock(path: string): Promise<'taken' | 'busy'> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const bytes = Buffer.from(path);
    return new Promise<LaunchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, timedOut: false });
      this.busy();
      this.stdin.write(`L ${id} ${bytes.length}\n`);
      this.stdin.write(bytes);
    }).then((r) => {
      if (r.code === 0) this.locked = true;
      return r.code === 0 ? 'taken' : 'busy';
    });
  }

  /** Ends the launcher (its children, if any still run, are killed) and waits until it is gone. */
  async close(): Promise<void> {
    if (this.dead) return;
    this.busy();
    this.end();
    // A ref'd timer keeps nslab waiting for the exit; a launcher that does not go is killed.
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Like close(), without waiting. */
  end(): void {
    this.stdin.end();
  }

  /** Answers: a header line, then stdout and stderr by their byte lengths. */
  private read(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const [id, kind, value, outLen, errLen] = this.buf.subarray(0, nl).toString('latin1').split(' ');
      const o = Number(outLen);
      const e = Number(errLen);
      if (this.buf.length < nl + 1 + o + e) return;
      const stdout = this.buf.toString('utf8', nl + 1, nl + 1 + o);
      const stderr = this.buf.toString('utf8', nl + 1 + o, nl + 1 + o + e);
      this.buf = this.buf.subarray(nl + 1 + o + e);
      this.settle(Number(id), kind!, Number(value), stdout, stderr);
    }
  }

  private settle(id: number, kind: string, value: number, stdout: string, stderr: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (kind === 'b') {
      // The child began: its deadline runs from now.
      clearTimeout(p.timer);
      p.timer = setTimeout(() => {
        if (this.pending.get(id) !== p) return;
        p.timedOut = true;
        this.stdin.write(`K ${id}\n`);
      }, p.ms);
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (this.pending.size === 0) this.idle();
    if (kind === 'e') p.reject(new Error(stderr));
    else {
      const signal = kind === 's' ? (SIGNALS.get(value) ?? `signal ${value}`) : null;
      p.resolve({ code: kind === 'x' ? value : null, signal, timedOut: p.timedOut, stdout, stderr });
    }
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  /** While nothing is asked of it, the launcher does not keep nslab's event loop alive. */
  private idle(): void {
    this.child.unref();
    (this.stdout as unknown as { unref?: () => void }).unref?.();
    (this.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.stdout as unknown as { ref?: () => void }).ref?.();
    (this.stdin as unknown as { ref?: () => void }).ref?.();
  }
}
