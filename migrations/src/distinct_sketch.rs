//! How many distinct parameter sets an agent proposed, kept as a HyperLogLog sketch per agent,
//! capability and day (`scorecard_sketches.registers`, migration 19) instead of a row per set.
//!
//! The input is already a uniform hash (an action hash is SHA-256 in hex), so its first 64 bits
//! are used as they are: the first [`P`] bits pick one of [`M`] registers, and the register keeps
//! the largest rank (leading zeros + 1) of the bits after them. Days are added up by taking the
//! largest value of each register. The estimate is HyperLogLog's, with linear counting while
//! registers are still empty, so a small count (tens) is exact or within one and a large one is
//! within about 3 % (1.04 / √M).
//!
//! The stored bytes are a format: a first byte says which, then either the non-empty registers
//! as (index: u16 big-endian, rank: u8) in index order (`SPARSE`, while fewer than a third of the
//! registers are set — most days of most grants) or every register (`DENSE`). The format lives
//! here, beside the migration that first wrote it, because a stored format must not change under
//! data already written; the engine uses it from here.

/// Bits of the hash that pick the register.
pub const P: u32 = 10;
/// Registers per sketch.
pub const M: usize = 1 << P;
const SPARSE: u8 = 1;
const DENSE: u8 = 2;

/// A sketch of a set of hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sketch {
    registers: Vec<u8>,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch { registers: vec![0; M] }
    }
}

/// Stored bytes that are not a sketch.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

impl Sketch {
    /// Adds a hash given as hex (at least 16 digits; shorter or non-hex text is hashed by its
    /// bytes instead, so nothing is dropped). Says whether the sketch changed.
    pub fn insert_hex(&mut self, hex: &str) -> bool {
        let bits = hex.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()).unwrap_or_else(|| fnv(hex.as_bytes()));
        self.insert(bits)
    }

    /// Adds 64 uniformly distributed bits. Says whether the sketch changed.
    pub fn insert(&mut self, bits: u64) -> bool {
        let index = usize::try_from(bits >> (64 - P)).unwrap_or(0);
        let rest = bits << P;
        let rank = u8::try_from(rest.leading_zeros().min(64 - P) + 1).unwrap_or(u8::MAX);
        if rank > self.registers[index] {
            self.registers[index] = rank;
            true
        } else {
            false
        }
    }

    /// Adds every hash of `other` (the union of the two sets). Says whether the sketch changed.
    pub fn merge(&mut self, other: &Sketch) -> bool {
        let mut changed = false;
        for (mine, theirs) in self.registers.iter_mut().zip(&other.registers) {
            if *theirs > *mine {
                *mine = *theirs;
                changed = true;
            }
        }
        changed
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.registers.iter().all(|r| *r == 0)
    }

    /// How many distinct hashes were added, estimated.
    pub fn estimate(&self) -> u64 {
        let m = M as f64;
        let zeros = self.registers.iter().filter(|r| **r == 0).count();
        let sum: f64 = self.registers.iter().map(|r| (-f64::from(*r)).exp2()).sum();
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        let estimate = if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f64).ln() } else { raw };
        // Finite and non-negative by construction; the cast saturates regardless.
        estimate.round() as u64
    }

    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        let set: Vec<(usize, u8)> =
            self.registers.iter().enumerate().filter(|(_, r)| **r > 0).map(|(i, r)| (i, *r)).collect();
        if set.len() * 3 < M {
            let mut out = Vec::with_capacity(1 + set.len() * 3);
            out.push(SPARSE);
            for (i, r) in set {
                out.extend_from_slice(&u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes());
                out.push(r);
            }
            out
        } else {
            let mut out = Vec::with_capacity(1 + M);
            out.push(DENSE);
            out.extend_from_slice(&self.registers);
            out
        }
    }

    /// A sketch from its stored bytes.
    pub fn decode(bytes: &[u8]) -> Result<Sketch, Malformed> {
        let mut sketch = Sketch::default();
        match bytes.split_first() {
            Some((&DENSE, rest)) if rest.len() == M => sketch.registers.copy_from_slice(rest),
            Some((&SPARSE, rest)) if rest.len() % 3 == 0 => {
                for entry in rest.chunks_exact(3) {
                    let index = usize::from(u16::from_be_bytes([entry[0], entry[1]]));
                    let slot = sketch.registers.get_mut(index).ok_or(Malformed)?;
                    *slot = entry[2];
                }
            }
            _ => return Err(Malformed),
        }
        Ok(sketch)
    }
}

/// FNV-1a, for text that is not a hex hash, mixed so its high bits are usable.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// splitmix64's step: consecutive inputs give uniformly spread outputs.
fn mix(x: u64) -> u64 {
    let mut h = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct well-mixed 64-bit values, as SHA-256 prefixes are.
    fn hashes(from: u64, n: u64) -> impl Iterator<Item = u64> {
        (from..from + n).map(|i| mix(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    fn of(from: u64, n: u64) -> Sketch {
        let mut s = Sketch::default();
        for h in hashes(from, n) {
            s.insert(h);
        }
        s
    }

    #[test]
    fn nothing_counts_zero_and_small_sets_are_near_exact() {
        assert_eq!(Sketch::default().estimate(), 0);
        assert!(Sketch::default().is_empty());
        for n in [1, 2, 5, 10, 20, 40] {
            let e = of(0, n).estimate();
            assert!(e.abs_diff(n) <= 1, "{n} counted as {e}");
        }
    }

    #[test]
    fn large_sets_are_within_a_few_percent() {
        for n in [500u64, 2_000, 10_000, 100_000] {
            let e = of(7, n).estimate() as f64;
            let error = (e - n as f64).abs() / n as f64;
            assert!(error < 0.06, "{n} counted as {e} ({:.1} %)", error * 100.0);
        }
    }

    #[test]
    fn adding_a_set_again_changes_nothing() {
        let mut s = of(0, 300);
        let before = s.clone();
        assert!(hashes(0, 300).all(|h| !s.insert(h)));
        assert_eq!(s, before);
    }

    #[test]
    fn merging_days_counts_their_union_once() {
        let mut monday = of(0, 60);
        let tuesday = of(40, 60);
        assert!(monday.merge(&tuesday));
        assert!(monday.estimate().abs_diff(100) <= 2, "{}", monday.estimate());
        assert!(!monday.merge(&tuesday), "a second merge adds nothing");
    }

    #[test]
    fn stored_bytes_round_trip_sparse_and_dense() {
        for n in [0, 3, 100, 5_000] {
            let s = of(1, n);
            let bytes = s.encode();
            assert_eq!(bytes[0], if n < 300 { SPARSE } else { DENSE }, "{n}");
            assert_eq!(Sketch::decode(&bytes), Ok(s));
        }
        assert_eq!(of(1, 3).encode().len(), 1 + 3 * 3);
    }

    #[test]
    fn bytes_that_are_not_a_sketch_are_refused() {
        for bad in [&[][..], &[9, 1, 2, 3], &[SPARSE, 0, 1], &[SPARSE, 0xff, 0xff, 1], &[DENSE, 1, 2]] {
            assert_eq!(Sketch::decode(bad), Err(Malformed), "{bad:?}");
        }
    }

    #[test]
    fn hex_hashes_use_their_first_64_bits_and_other_text_is_still_counted() {
        let mut s = Sketch::default();
        assert!(s.insert_hex("8020000000000000ffff"));
        assert_eq!(s.registers[M / 2], 1, "top bit picks the upper half; next bit set gives rank 1");
        assert!(s.insert_hex("not hex at all"));
        assert_eq!(s.estimate(), 2);
    }
}
