//! NumPy's legacy `RandomState(seed).shuffle`: MT19937 seeded with `init_genrand(seed)` and
//! the Fisher-Yates loop over `random_interval`, so a seeded file shuffle equals Keras'
//! `index_directory` (which shuffles its file list with `np.random.RandomState(seed)`).

pub(crate) struct Mt19937 {
    state: [u32; 624],
    index: usize,
}

impl Mt19937 {
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            state[i] = 1_812_433_253u32
                .wrapping_mul(state[i - 1] ^ (state[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: 624 }
    }

    fn twist(&mut self) {
        for i in 0..624 {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7fff_ffff);
            let mut v = self.state[(i + 397) % 624] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.index = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        (hi << 32) | self.next_u32() as u64
    }

    /// NumPy's `random_interval(max)`: uniform in `0..=max` by masked rejection.
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for s in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> s;
        }
        if max <= 0xffff_ffff {
            loop {
                let v = (self.next_u32() as u64) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }
}

/// The permutation `np.random.RandomState(seed).shuffle` applies to a list of `n` items:
/// the result's `k`-th element is the input's `perm[k]`-th.
pub(crate) fn numpy_shuffle_permutation(n: usize, seed: u32) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut rng = Mt19937::new(seed);
    for i in (1..n).rev() {
        let j = rng.interval(i as u64) as usize;
        perm.swap(i, j);
    }
    perm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_outputs_match_reference_mt19937() {
        // Reference values of MT19937 init_genrand(5489) (the C reference's default seed).
        let mut m = Mt19937::new(5489);
        assert_eq!(m.next_u32(), 3_499_211_612);
        assert_eq!(m.next_u32(), 581_869_302);
    }

    #[test]
    fn shuffle_equals_numpy_random_state() {
        // Printed by: l = list(range(n)); np.random.RandomState(seed).shuffle(l); print(l)
        assert_eq!(numpy_shuffle_permutation(10, 1337), [6, 3, 0, 4, 5, 2, 1, 9, 8, 7]);
        assert_eq!(numpy_shuffle_permutation(7, 0), [6, 2, 1, 3, 0, 5, 4]);
        assert_eq!(
            numpy_shuffle_permutation(25, 42),
            [8, 16, 0, 23, 11, 9, 13, 1, 22, 5, 2, 12, 15, 3, 4, 20, 17, 21, 18, 24, 7, 10, 14, 19, 6]
        );
    }
}
