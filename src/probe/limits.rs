//! What this host allows: open files (each connection attempt is one socket)
//! and the kernel's own connect timeout. `probe` sizes itself by these so a
//! local limit is never mistaken for a firewall verdict.

use std::time::Duration;

/// File descriptors kept free for the process itself (stdio, the runtime,
/// the resolver's sockets and files).
const RESERVED_FILES: u64 = 32;

/// Raises the soft open-file limit to the hard limit and returns how many
/// sockets may be open at once: the limit less a margin, at least 1.
pub(crate) fn socket_budget() -> usize {
    #[cfg(unix)]
    {
        let soft = match rlimit::getrlimit(rlimit::Resource::NOFILE) {
            Ok((soft, hard)) => rlimit::increase_nofile_limit(hard).unwrap_or(soft),
            Err(_) => return 256,
        };
        usize::try_from(budget(soft)).unwrap_or(usize::MAX)
    }
    #[cfg(not(unix))]
    {
        256
    }
}

/// Sockets for an open-file limit: the limit less the reserve, at least 1.
fn budget(limit: u64) -> u64 {
    limit.saturating_sub(RESERVED_FILES).max(1)
}

/// The longest a connect can wait on Linux before the kernel gives up by
/// itself: SYN retries with doubling waits from 1 s (`net.ipv4.tcp_syn_retries`,
/// 6 by default: 1+2+4+...+64 = 127 s). `None` where it cannot be read.
pub(crate) fn kernel_connect_timeout() -> Option<(Duration, u32)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries").ok()?;
    let retries: u32 = text.trim().parse().ok()?;
    Some((connect_timeout(retries), retries))
}

/// 1 s, then each retry waits twice as long as the one before.
fn connect_timeout(retries: u32) -> Duration {
    Duration::from_secs((0..=retries.min(30)).map(|i| 1u64 << i).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_leaves_room_for_the_process() {
        assert_eq!(budget(1024), 992);
        assert_eq!(budget(33), 1);
        assert_eq!(budget(10), 1, "never zero");
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_limit() {
        let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("getrlimit");
        // Start low (harmless for the other tests: still thousands of files).
        let low = hard.min(4096) / 2;
        rlimit::setrlimit(rlimit::Resource::NOFILE, low, hard).expect("setrlimit");
        let found = socket_budget();
        let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("getrlimit");
        assert_eq!(soft, hard, "raised from {low}");
        assert_eq!(found as u64, budget(soft));
        // Raising is idempotent: a second call finds the same budget.
        assert_eq!(socket_budget(), found);
    }

    #[test]
    fn the_kernel_gives_up_after_doubling_waits() {
        assert_eq!(connect_timeout(6), Duration::from_secs(127));
        assert_eq!(connect_timeout(0), Duration::from_secs(1));
        assert_eq!(connect_timeout(2), Duration::from_secs(7));
    }
}
