//! The world's side: when (and whether) a device runs its job, how it fails, and what it
//! reports back.

use stepstone::reconcile::Event;
use stepstone::retry::FailureKind;

use crate::config::DAY;
use crate::queue::What;
use crate::sim::Simulation;

/// Writes `dev-<n>` into `buf` and returns it.
pub(crate) fn device_id(n: u32, buf: &mut [u8; 16]) -> &[u8] {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut v = n;
    loop {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (v % 10) as u8;
        }
        len += 1;
        v /= 10;
        if v == 0 || len == digits.len() {
            break;
        }
    }
    let (head, tail) = buf.split_at_mut(4);
    head.copy_from_slice(b"dev-");
    for (slot, d) in tail.iter_mut().zip(digits.iter().take(len).rev()) {
        *slot = *d;
    }
    buf.get(..4 + len).unwrap_or(b"dev-")
}

impl Simulation {
    /// The world's side of a new job: when (and whether) the device runs it.
    pub(crate) fn start_job(&mut self, d: u32, job: u64, release: u32, expires_at: u64) {
        let i = d as usize;
        let mut offline = self.offline_until.get(i).copied().unwrap_or(0);
        if self.rng.chance(self.cfg.offline_rate_ppm) {
            offline = offline.max(self.now + self.rng.range(3600, 14 * DAY));
            if let Some(o) = self.offline_until.get_mut(i) {
                *o = offline;
            }
            self.push(offline, d, What::Online);
        }
        let begin = self.now.max(offline) + self.rng.range(10, 600);
        if begin < expires_at {
            self.push(begin, d, What::Run { job, release });
        }
    }

    /// The device comes back online: it reports its version and runs its pending job.
    pub(crate) fn online(&mut self, d: u32) {
        let i = d as usize;
        let seq = self.next_seq(d);
        let reports = self.actual.get(i).copied().unwrap_or(0);
        self.send(
            d,
            self.now,
            Event::Reported {
                seq,
                at: self.now,
                reports,
            },
        );
        // On connecting, the device is told about its pending job (AWS IoT notify-next).
        let pending = self
            .states
            .get(i)
            .and_then(|s| s.job.as_ref())
            .map(|j| (j.id, j.release, j.expires_at));
        if let Some((job, release, expires_at)) = pending {
            // It runs the job (again, if a run of it hung before).
            if let Some(r) = self.ran.get_mut(i) {
                *r = (*r).min(job.saturating_sub(1));
            }
            let begin = self.now + self.rng.range(10, 600);
            if begin < expires_at {
                self.push(begin, d, What::Run { job, release });
            }
        }
    }

    pub(crate) fn run_job(&mut self, d: u32, job: u64, release: u32) {
        let i = d as usize;
        match self.ran.get_mut(i) {
            Some(r) if *r < job => *r = job,
            _ => return, // this job already ran (or a newer one did)
        }
        if self.offline_until.get(i).is_some_and(|o| *o > self.now) {
            return; // offline: it runs when the device is back
        }
        let took = self.rng.range(300, 3600);
        let at = self.now + took;
        let before = self.actual.get(i).copied().unwrap_or(0);
        if self.rng.chance(self.cfg.fail_rate_ppm) {
            let roll = self.rng.range(0, 99);
            let kind = match roll {
                0..=39 => FailureKind::Failed,
                40..=74 => FailureKind::DownloadError,
                75..=89 => FailureKind::Rejected,
                _ => {
                    // Silent: the job will expire; the device reconnects some time later.
                    let back = at + self.rng.range(3600, 2 * DAY);
                    self.push(back, d, What::Online);
                    return;
                }
            };
            let seq = self.next_seq(d);
            self.send(
                d,
                at,
                Event::JobFailed {
                    job,
                    seq,
                    at,
                    kind,
                    reports: Some(before),
                },
            );
            return;
        }
        let now_runs = if self.rng.chance(self.cfg.rollback_rate_ppm) {
            before
        } else {
            release
        };
        if now_runs == release && before != release {
            // Counted as the world sees it: a result that reaches the reconciler only after the
            // job expired is still an install.
            self.hops += 1;
            if let Some(n) = self.installs.get_mut(release as usize) {
                *n += 1;
            }
            self.bytes_installed += self.sizes.get(release as usize).copied().unwrap_or(0);
        }
        if let Some(a) = self.actual.get_mut(i) {
            *a = now_runs;
        }
        let seq = self.next_seq(d);
        self.send(
            d,
            at,
            Event::JobSucceeded {
                job,
                seq,
                at,
                reports: now_runs,
            },
        );
        let seq = self.next_seq(d);
        let rebooted = at + self.rng.range(60, 600);
        self.send(
            d,
            rebooted,
            Event::Reported {
                seq,
                at: rebooted,
                reports: now_runs,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::device_id;

    #[test]
    fn device_ids() {
        let mut b = [0u8; 16];
        assert_eq!(device_id(0, &mut b), b"dev-0");
        assert_eq!(device_id(1234567, &mut b), b"dev-1234567");
        assert_eq!(device_id(u32::MAX, &mut b), b"dev-4294967295");
    }
}
