//! The segment index: for every distinct segment of the coverage (its undirected key), the list of its
//! occurrences in insertion order — how exact matches are found in O(1).
//!
//! Compact, because a coverage has millions of segments: the table holds 8 bytes a distinct segment (the
//! first occurrence and 32 bits of the key's hash, open addressing with linear probing), each occurrence
//! 16 bytes (item, ring, segment, direction, next occurrence of the same segment). Keys are not stored:
//! they are the coordinates of the segment, which the caller reads from its rings (`key_of`) to confirm a
//! match — 32 bits of hash only say where to look.

use super::rings::SegmentKey;

/// Where one segment of the coverage sits, and its direction with the interior on its right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub item: u32,
    pub ring: u32,
    pub seg: u32,
    pub forward: bool,
}

const END: u32 = u32::MAX;

/// One occurrence in a list; `seg_forward` is the segment index shifted left once, its direction in bit 0.
#[derive(Clone, Copy)]
struct Node {
    item: u32,
    ring: u32,
    seg_forward: u32,
    next: u32,
}

impl Node {
    fn occurrence(&self) -> Occurrence {
        Occurrence { item: self.item, ring: self.ring, seg: self.seg_forward >> 1, forward: self.seg_forward & 1 == 1 }
    }
}

/// A table slot: the list's first node (`END`: empty) and the key's hash.
#[derive(Clone, Copy)]
struct Slot {
    head: u32,
    hash: u32,
}

const EMPTY: Slot = Slot { head: END, hash: 0 };

pub struct SegmentIndex {
    slots: Vec<Slot>,
    /// log2 of the table size: a key's home slot is the top `bits` bits of its hash.
    bits: u32,
    keys: usize,
    nodes: Vec<Node>,
    /// Nodes freed by removals, reused first.
    free: Vec<u32>,
}

#[inline]
fn hash(key: &SegmentKey) -> u32 {
    // The two end points folded independently (two multiplications at once, not four in a row), each
    // coordinate's low mantissa bits turned to the top first so that points differing only there spread;
    // then the finaliser of MurmurHash3 takes every input bit to the top bits, which pick the slot.
    let [x0, y0, x1, y1] = *key;
    let a = (x0 ^ y0.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = (x1 ^ y1.rotate_left(32)).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    let mut h = a ^ b.rotate_left(29);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    (h >> 32) as u32
}

/// At most 7 keys for 10 slots.
fn slots_for(keys: usize) -> u32 {
    let wanted = (keys.saturating_mul(10) / 7 + 1).max(16);
    wanted.next_power_of_two().trailing_zeros().min(32)
}

impl SegmentIndex {
    /// An index sized for about `keys` distinct segments and `occurrences` segments.
    pub fn with_capacity(keys: usize, occurrences: usize) -> SegmentIndex {
        let bits = slots_for(keys);
        SegmentIndex {
            slots: vec![EMPTY; 1 << bits],
            bits,
            keys: 0,
            nodes: Vec::with_capacity(occurrences),
            free: Vec::new(),
        }
    }

    #[inline]
    fn home(&self, hash: u32) -> usize {
        (u64::from(hash) >> (32 - self.bits)) as usize
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot holding `key`'s list (`Ok`), or the empty slot where it would go (`Err`).
    #[inline]
    fn find(&self, key: &SegmentKey, h: u32, key_of: &impl Fn(Occurrence) -> SegmentKey) -> Result<usize, usize> {
        let mask = self.mask();
        let mut i = self.home(h);
        loop {
            let slot = self.slots[i];
            if slot.head == END {
                return Err(i);
            }
            if slot.hash == h && key_of(self.nodes[slot.head as usize].occurrence()) == *key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; 1 << (self.bits + 1)]);
        self.bits += 1;
        let mask = self.mask();
        for slot in old.into_iter().filter(|s| s.head != END) {
            let mut i = self.home(slot.hash);
            while self.slots[i].head != END {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    #[inline]
    fn new_node(&mut self, o: Occurrence) -> u32 {
        let node = Node { item: o.item, ring: o.ring, seg_forward: (o.seg << 1) | u32::from(o.forward), next: END };
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Adds an occurrence of `key` at the end of its list. `key_of` gives the key of an occurrence already
    /// in the index (from the coordinates of its ring).
    #[inline]
    pub fn insert(&mut self, key: &SegmentKey, o: Occurrence, key_of: &impl Fn(Occurrence) -> SegmentKey) {
        let h = hash(key);
        match self.find(key, h, key_of) {
            Ok(i) => {
                let node = self.new_node(o);
                let mut last = self.slots[i].head as usize;
                while self.nodes[last].next != END {
                    last = self.nodes[last].next as usize;
                }
                self.nodes[last].next = node;
            }
            Err(mut i) => {
                if (self.keys + 1) * 10 > self.slots.len() * 7 && self.bits < 32 {
                    self.grow();
                    i = match self.find(key, h, key_of) {
                        Ok(i) | Err(i) => i,
                    };
                }
                let node = self.new_node(o);
                self.slots[i] = Slot { head: node, hash: h };
                self.keys += 1;
            }
        }
    }

    /// Removes the occurrence of `key` at (`item`, `ring`, `seg`), keeping the order of the others.
    pub fn remove(
        &mut self,
        key: &SegmentKey,
        item: u32,
        ring: u32,
        seg: u32,
        key_of: &impl Fn(Occurrence) -> SegmentKey,
    ) {
        let Ok(i) = self.find(key, hash(key), key_of) else { return };
        let mut prev: Option<usize> = None;
        let mut at = self.slots[i].head;
        while at != END {
            let node = self.nodes[at as usize];
            if node.item == item && node.ring == ring && node.seg_forward >> 1 == seg {
                match prev {
                    Some(p) => self.nodes[p].next = node.next,
                    None if node.next == END => self.remove_slot(i),
                    None => self.slots[i].head = node.next,
                }
                // A freed node names no item, so that [`SegmentIndex::shared`] skips it.
                self.nodes[at as usize].item = END;
                self.free.push(at);
                return;
            }
            prev = Some(at as usize);
            at = node.next;
        }
    }

    /// Empties slot `i`, moving later entries of its probe run back (no tombstones).
    fn remove_slot(&mut self, i: usize) {
        let mask = self.mask();
        self.slots[i] = EMPTY;
        self.keys -= 1;
        let mut hole = i;
        let mut j = (i + 1) & mask;
        while self.slots[j].head != END {
            let home = self.home(self.slots[j].hash);
            // The entry may fill the hole if the hole lies between its home slot and where it is.
            if (hole.wrapping_sub(home) & mask) < (j.wrapping_sub(home) & mask) {
                self.slots[hole] = self.slots[j];
                self.slots[j] = EMPTY;
                hole = j;
            }
            j = (j + 1) & mask;
        }
    }

    fn chain(&self, head: u32) -> Chain<'_> {
        Chain { nodes: &self.nodes, at: head }
    }

    /// The occurrences of `key`, in insertion order.
    pub fn get(&self, key: &SegmentKey, key_of: &impl Fn(Occurrence) -> SegmentKey) -> Chain<'_> {
        let head = match self.find(key, hash(key), key_of) {
            Ok(i) => self.slots[i].head,
            Err(_) => END,
        };
        self.chain(head)
    }

    /// Every list of two or more occurrences (segments that several rings share), each in insertion order;
    /// the lists in the order of their first occurrences. Walks the occurrences in the order they were
    /// stored (item by item, on a fresh index), not the table, whose order is random: memory is read in
    /// sequence, and the partner of a shared segment, a neighbour's, was stored not far off.
    pub fn shared(&self) -> impl Iterator<Item = Chain<'_>> + '_ {
        // The occurrences that follow another in a list (one bit each): every other one heads a list.
        let mut follows = vec![0u64; self.nodes.len().div_ceil(64)];
        for node in self.nodes.iter().filter(|n| n.item != END && n.next != END) {
            follows[node.next as usize / 64] |= 1 << (node.next % 64);
        }
        self.nodes.iter().enumerate().filter_map(move |(i, node)| {
            let heads_a_list = node.item != END && follows[i / 64] & (1 << (i % 64)) == 0;
            (heads_a_list && node.next != END).then(|| self.chain(i as u32))
        })
    }
}

/// The occurrences of one segment, in insertion order.
#[derive(Clone)]
pub struct Chain<'a> {
    nodes: &'a [Node],
    at: u32,
}

impl Iterator for Chain<'_> {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        let node = self.nodes.get(self.at as usize)?;
        self.at = node.next;
        Some(node.occurrence())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys are their own identity here: the key of an occurrence is looked up in a side table.
    #[test]
    fn inserts_removes_and_keeps_order() {
        let mut index = SegmentIndex::with_capacity(1, 1);
        let occ = |item: u32, seg: u32| Occurrence { item, ring: 0, seg, forward: seg.is_multiple_of(2) };
        // Items share keys in pairs: items 2k and 2k+1 have the same 40 segments.
        let key = |item: u32, seg: u32| -> SegmentKey { [u64::from(item / 2), u64::from(seg), 7, 8] };
        let key_of = |o: Occurrence| key(o.item, o.seg);
        for item in 0..50u32 {
            for seg in 0..40u32 {
                index.insert(&key(item, seg), occ(item, seg), &key_of);
            }
        }
        assert_eq!(index.shared().count(), 25 * 40);
        let list: Vec<u32> = index.get(&[4, 3, 7, 8], &key_of).map(|o| o.item).collect();
        assert_eq!(list, vec![8, 9]);
        for seg in 0..40 {
            index.remove(&[4, u64::from(seg), 7, 8], 8, 0, seg, &key_of);
        }
        assert_eq!(index.get(&[4, 3, 7, 8], &key_of).map(|o| o.item).collect::<Vec<_>>(), vec![9]);
        for seg in 0..40 {
            index.remove(&[4, u64::from(seg), 7, 8], 9, 0, seg, &key_of);
        }
        assert_eq!(index.get(&[4, 3, 7, 8], &key_of).count(), 0);
        assert_eq!(index.shared().count(), 24 * 40);
        // Every other key is still found after the removals moved entries back.
        for item in 0..50u32 {
            for seg in 0..40u32 {
                let found = index.get(&[u64::from(item / 2), u64::from(seg), 7, 8], &key_of).count();
                assert_eq!(found, if item / 2 == 4 { 0 } else { 2 }, "{item} {seg}");
            }
        }
    }
}
