//! Which frames to apply, by their `version`, per notification type.
//!
//! The pages say a full message's version is a timestamp and an incremental one's "an
//! ascending sequence number", and nothing about how it is numbered. The client
//! assumes consecutive numbers per type within one subscription: a full message resets
//! its type's baseline, the first incremental after it sets the baseline, one at or
//! below the baseline is a duplicate, and one above baseline + 1 means messages were
//! lost (a gap, repaired by subscribing again). One below the first version seen since
//! the full message was never applied: it arrived late (reordered), and is dropped and
//! repaired like a gap, since applying an older change over newer ones would be wrong.
//! A service that numbers with steps larger than one (or across types) is seen as
//! having gaps: the stream stays correct, re-subscribing at most once per interval, at
//! the price of those snapshots. An incremental version 1 after a numbering that went
//! from 1 to more is a restart of the numbering (a service that restarted, or moved the
//! meeting), not a duplicate: applied, and the state repaired like a gap.

use std::collections::HashMap;

/// What to do with a frame.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Apply,
    /// Seen already: dropped.
    Duplicate,
    /// Messages before this one were lost: applied, and the state repaired.
    Gap,
    /// Older than anything applied since the full message, never applied: dropped, and
    /// the state repaired.
    Late,
    /// The numbering started again at 1: applied, and the state repaired.
    Restarted,
}

/// The baselines of one subscription.
#[derive(Debug, Default)]
pub(crate) struct Versions {
    /// Per `action`: the first and the last incremental version applied since its full
    /// message.
    baselines: HashMap<String, Option<(i64, i64)>>,
}

impl Versions {
    pub fn check(&mut self, action: &str, full: bool, version: Option<i64>) -> Verdict {
        if full {
            self.baselines.insert(action.to_owned(), None);
            return Verdict::Apply;
        }
        // Without a version there is nothing to compare.
        let Some(version) = version else {
            return Verdict::Apply;
        };
        let baseline = match self.baselines.get_mut(action) {
            Some(baseline) => baseline,
            None => self.baselines.entry(action.to_owned()).or_default(),
        };
        match *baseline {
            // From 1 to more and back to 1: a duplicate would have been dropped
            // silently, every frame of the new numbering up to the old last with it.
            // (Numbering that began above 1 sees a 1 as late: repaired all the same.)
            Some((1, last)) if version == 1 && last > 1 => {
                *baseline = Some((1, 1));
                Verdict::Restarted
            }
            Some((first, _)) if version < first => Verdict::Late,
            Some((_, last)) if version <= last => Verdict::Duplicate,
            Some((first, last)) if version > last.saturating_add(1) => {
                *baseline = Some((first, version));
                Verdict::Gap
            }
            Some((first, _)) => {
                *baseline = Some((first, version));
                Verdict::Apply
            }
            None => {
                *baseline = Some((version, version));
                Verdict::Apply
            }
        }
    }

    /// A new subscription numbers afresh.
    pub fn reset(&mut self) {
        self.baselines.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_per_type_from_the_first_incremental_after_a_full_message() {
        let mut v = Versions::default();
        const P: &str = "ParticipantsNotify";
        assert_eq!(v.check(P, true, Some(1_611_993_595_063)), Verdict::Apply);
        // The first incremental sets the baseline, whatever its number.
        assert_eq!(v.check(P, false, Some(39)), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(40)), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(40)), Verdict::Duplicate);
        assert_eq!(v.check(P, false, Some(39)), Verdict::Duplicate);
        // Older than the first one applied: it was overtaken, never applied.
        assert_eq!(v.check(P, false, Some(38)), Verdict::Late);
        // Another type has its own numbering.
        assert_eq!(v.check("WaitingListNotify", false, Some(1)), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(43)), Verdict::Gap);
        assert_eq!(v.check(P, false, Some(44)), Verdict::Apply);
        // A full message resets the baseline: its timestamp is never compared.
        assert_eq!(v.check(P, true, Some(5)), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(1)), Verdict::Apply);
        assert_eq!(v.check(P, false, None), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(2)), Verdict::Apply);
        // Back to 1 after higher numbers: the service numbers afresh.
        assert_eq!(v.check(P, false, Some(1)), Verdict::Restarted);
        assert_eq!(v.check(P, false, Some(2)), Verdict::Apply);
        assert_eq!(v.check(P, false, Some(1)), Verdict::Restarted);
        assert_eq!(v.check(P, false, Some(1)), Verdict::Duplicate);
    }
}
