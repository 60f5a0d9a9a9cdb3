//! `meeting webhook listen` under clients that do not play along: a thousand idle
//! connections and a hundred that trickle a byte a second, with the listener limited to
//! 512 descriptors; and a stdout consumer that stops reading. Real sockets, a real
//! process; time passes only through the listener's own deadlines.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{SUBSCRIBER, now_ms, post_to as post, signed_push};

const KEY: &str = "cli-hostile-key";

/// A push signed with [`KEY`] as the service signs it: a participant joining at
/// `at_ms`, in an attempt signed now (a retry has the same event and a new signature).
fn push_at(nonce: &str, participant: &str, at_ms: i64) -> Vec<u8> {
    let info = format!(
        r#"{{"event":"meeting.join","timestamp":{at_ms},"payload":{{"meetingInfo":{{"meetingID":"987446316"}},"attendeeInfo":{{"participantID":"{participant}","displayName":"P","joinTime":{at_ms},"leftTime":0,"role":"CHAIR"}}}}}}"#
    );
    signed_push(KEY, now_ms(), nonce, &info)
}

/// A push of an event that happens now.
fn push(nonce: &str, participant: &str) -> Vec<u8> {
    push_at(nonce, participant, now_ms())
}

/// The listener and its address; killed when dropped.
struct Listener {
    child: Child,
    addr: String,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `meeting webhook listen` with at most `descriptors` open files, and `extra` flags.
fn listen(descriptors: u32, extra: &[&str], stdout: Stdio) -> Listener {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("ulimit -n {descriptors} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_meeting"))
        .args(["webhook", "listen", "--port", "0", "--json"])
        .args(extra)
        .env_clear()
        .env("MEETING_WEBHOOK_KEY", KEY)
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let (send, stderr) = mpsc::channel();
    let pipe = child.stderr.take().expect("piped");
    // Drained to the end, so that the listener never waits on its log.
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let first = stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("the listening line");
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    Listener { child, addr }
}

/// The CPU time a process has used (user and system), from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc");
    // Fields after the command's closing parenthesis: utime and stime are 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a stat line")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // SAFETY: sysconf reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

/// Lets this test process hold more sockets than the listener may.
fn raise_own_descriptor_limit(to: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < to {
            limit.rlim_cur = to.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Whether the server has closed `stream` (a read returns end of file, or fails).
fn closed(stream: &mut TcpStream) -> bool {
    let _ = stream.set_nonblocking(true);
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

#[test]
fn idle_and_trickling_clients_neither_starve_a_push_nor_burn_cpu() {
    raise_own_descriptor_limit(4096);
    let listener = listen(512, &["--header-timeout", "3s"], Stdio::null());
    let addr = listener.addr.clone();
    let mut idle: Vec<TcpStream> = (0..1_000)
        .map(|_| TcpStream::connect(&addr).expect("connects"))
        .collect();
    let (stop, stopped) = mpsc::channel::<()>();
    let trickle_addr = addr.clone();
    let trickler = std::thread::spawn(move || {
        let mut slow: Vec<TcpStream> = (0..100)
            .filter_map(|_| TcpStream::connect(&trickle_addr).ok())
            .collect();
        let request = b"POST / HTTP/1.1\r\nhost: x\r\n";
        for at in 0.. {
            for stream in &mut slow {
                let _ = stream.write_all(&request[at % request.len()..][..1]);
            }
            if stopped.recv_timeout(Duration::from_secs(1)).is_ok() {
                return;
            }
        }
    });

    // A well-behaved client gets through while the others hold their sockets.
    let started = Instant::now();
    assert_eq!(post(&addr, &push("1", "well-behaved")), 200);
    let took = started.elapsed();
    // The listener's CPU while the idle ones are held (inside the header deadline).
    let pid = listener.child.id();
    let (cpu_before, wall) = (cpu_time(pid), Instant::now());
    let window = Duration::from_millis(1_500);
    let _ = stopped_wait(window);
    let cpu = (cpu_time(pid) - cpu_before).as_secs_f64() / wall.elapsed().as_secs_f64();
    // Past the header deadline every idle connection is closed, whichever got in.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && !idle.iter_mut().all(closed) {
        let _ = stopped_wait(Duration::from_millis(200));
    }
    let open = idle.iter_mut().map(closed).filter(|c| !c).count();
    let _ = stop.send(());
    let _ = trickler.join();
    println!(
        "1,000 idle and 100 trickling connections, 512 descriptors: a push answered in \
         {took:?}, the listener at {:.1} % of a CPU while they were held, {open} idle left open",
        cpu * 100.0
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(cpu < 0.20, "{:.1} % CPU", cpu * 100.0);
    assert_eq!(
        open, 0,
        "idle connections left open past the header deadline"
    );
    // And it still serves.
    assert_eq!(post(&addr, &push("2", "after")), 200);
}

/// Waits `d` (on a channel nobody sends on: a wait, not a race with the code under test).
fn stopped_wait(d: Duration) -> bool {
    let (_keep, never) = mpsc::channel::<()>();
    never.recv_timeout(d).is_ok()
}

#[test]
fn a_consumer_that_stops_reading_gets_503s_and_then_every_push_once() {
    let mut listener = listen(1024, &["--output-timeout", "500ms"], Stdio::piped());
    let stdout = listener.child.stdout.take().expect("piped");
    let addr = listener.addr.clone();
    // Nobody reads stdout: the pipe fills, then the output queue, then pushes wait.
    let at = now_ms();
    let mut refused = Vec::new();
    let mut n = 0;
    while refused.len() < 10 {
        n += 1;
        assert!(n < 5_000, "the output never backed up");
        if post(&addr, &push_at(&n.to_string(), &format!("p{n}"), at)) == 503 {
            refused.push(n);
        }
    }
    // Still responsive: a malformed push is refused at once.
    let started = Instant::now();
    assert_eq!(post(&addr, b"{"), 400);
    assert!(started.elapsed() < Duration::from_secs(2));
    // The consumer reads again; the service retries what was refused.
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    for n in &refused {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // The service's retry: the same event, signed anew.
            let status = post(&addr, &push_at(&format!("retry-{n}"), &format!("p{n}"), at));
            if status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "push {n} still {status}");
            let _ = stopped_wait(Duration::from_millis(50));
        }
    }
    let _ = listener.child.kill();
    let _ = listener.child.wait();
    let printed: Vec<String> = lines.iter().collect();
    for k in 1..=n {
        let id = format!("\"p{k}\"");
        let times = printed.iter().filter(|l| l.contains(&id)).count();
        if refused.contains(&k) || times > 0 {
            assert_eq!(times, 1, "push {k} printed {times} times");
        }
    }
    // Every push answered 200 was printed.
    let accepted = (1..=n).filter(|k| !refused.contains(k)).count() + refused.len();
    assert!(
        printed.len() >= accepted,
        "{} lines for {accepted} accepted",
        printed.len()
    );
}
