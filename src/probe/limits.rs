//! What this host allows: open files (each connection attempt is one socket)
//! and the kernel's own connect timeout. `probe` sizes itself by these so a
//! local limit is never mistaken for a firewall verdict.

use std::time::Duration;

/// File descriptors kept free for the process itself (stdio, the runtime,
/// the resolver's sockets and files).
const RESERVED_FILES: u64 = 32;

/// Raises the soft open-file limit to the hard limit and returns how many
/// sockets may be open at once: the limit less a margin, at least 1.
pub fn socket_budget() -> usize {
    #[cfg(unix)]
    {
        let soft = match rlimit::getrlimit(rlimit::Resource::NOFILE) {
            Ok((soft, hard)) => rlimit::increase_nofile_limit(hard).unwrap_or(soft),
            Err(_) => return 256,
        };
        let budget = soft.saturating_sub(RESERVED_FILES).max(1);
        usize::try_from(budget).unwrap_or(usize::MAX)
    }
    #[cfg(not(unix))]
    {
        256
    }
}

/// The longest a connect can wait on Linux before the kernel gives up by
/// itself: SYN retries with doubling waits from 1 s (`net.ipv4.tcp_syn_retries`,
/// 6 by default: 1+2+4+...+64 = 127 s). `None` where it cannot be read.
pub fn kernel_connect_timeout() -> Option<(Duration, u32)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries").ok()?;
    let retries: u32 = text.trim().parse().ok()?;
    let secs: u64 = (0..=retries.min(30)).map(|i| 1u64 << i).sum();
    Some((Duration::from_secs(secs), retries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_leaves_room_for_the_process() {
        let budget = socket_budget();
        let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("getrlimit");
        assert!(budget >= 1);
        assert!(budget as u64 <= soft, "{budget} > {soft}");
    }
}
