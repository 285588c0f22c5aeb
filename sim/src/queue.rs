//! The event queue: what happens next, and when.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use stepstone::reconcile::Event;

#[derive(Debug, Clone)]
pub(crate) enum What {
    /// Ask `decide` again (if this is still the device's wake-up time).
    Tick,
    /// A device message reaches the reconciler.
    Deliver(Event<u32>),
    /// The device runs job `job`.
    Run { job: u64, release: u32 },
    /// The device comes back online and reports.
    Online,
    /// Time to try opening the next rollout stage.
    Advance,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) at: u64,
    pub(crate) order: u64,
    pub(crate) device: u32,
    pub(crate) what: What,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// Seconds covered by the bucket ring (about 12 days).
const RING: u64 = 1 << 20;

/// The event queue: items come out by time, then in the order they were pushed. Items within
/// [`RING`] seconds of now wait in one bucket per second (appending keeps push order); later
/// ones wait in a binary heap and move into the ring as time comes within reach, before any
/// item for the same second can be pushed directly, so the order holds.
pub(crate) struct Queue {
    ring: Vec<Vec<Item>>,
    in_ring: usize,
    base: u64,
    current: std::vec::IntoIter<Item>,
    far: BinaryHeap<Reverse<Item>>,
}

impl Queue {
    pub(crate) fn new() -> Queue {
        Queue {
            ring: (0..RING).map(|_| Vec::new()).collect(),
            in_ring: 0,
            base: 0,
            current: Vec::new().into_iter(),
            far: BinaryHeap::new(),
        }
    }

    fn slot(&mut self, at: u64) -> Option<&mut Vec<Item>> {
        self.ring.get_mut((at % RING) as usize)
    }

    pub(crate) fn push(&mut self, mut item: Item) {
        item.at = item.at.max(self.base);
        if item.at < self.base.saturating_add(RING) {
            if let Some(slot) = self.slot(item.at) {
                slot.push(item);
                self.in_ring += 1;
            }
        } else {
            self.far.push(Reverse(item));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.current.len() == 0 && self.in_ring == 0 && self.far.is_empty()
    }

    pub(crate) fn pop(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            let base = self.base;
            if let Some(slot) = self.slot(base)
                && !slot.is_empty()
            {
                let items = std::mem::take(slot);
                self.in_ring -= items.len();
                self.current = items.into_iter();
                continue;
            }
            if self.in_ring == 0 {
                // Nothing within reach: jump to the next far item.
                let Reverse(next) = self.far.peek()?;
                self.base = next.at;
            } else {
                self.base += 1;
            }
            let horizon = self.base.saturating_add(RING);
            while self.far.peek().is_some_and(|Reverse(i)| i.at < horizon) {
                if let Some(Reverse(item)) = self.far.pop() {
                    self.push(item);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Item, Queue, RING, What};

    fn item(at: u64, order: u64) -> Item {
        Item {
            at,
            order,
            device: 0,
            what: What::Tick,
        }
    }

    #[test]
    fn items_come_out_by_time_then_push_order_across_the_ring() {
        let mut q = Queue::new();
        // Far ones (beyond the ring) and near ones, pushed out of order.
        let times = [3 * RING + 5, 7, 7, RING + 1, 0, 3 * RING + 5, RING - 1, 2];
        for (order, at) in times.iter().enumerate() {
            q.push(item(*at, order as u64));
        }
        let mut out = Vec::new();
        while let Some(i) = q.pop() {
            out.push((i.at, i.order));
            // Pushed while running: lands after what is already queued for that second.
            if i.order == 3 {
                q.push(item(3 * RING + 5, 100));
            }
        }
        assert!(q.is_empty());
        assert_eq!(
            out,
            [
                (0, 4),
                (2, 7),
                (7, 1),
                (7, 2),
                (RING - 1, 6),
                (RING + 1, 3),
                (3 * RING + 5, 0),
                (3 * RING + 5, 5),
                (3 * RING + 5, 100),
            ]
        );
    }
}
