//! fdeflate's compressor, the one a card's PNG is made with, a piece of a
//! row at a time, and able to put in a piece compressed before: the parts
//! of a card that are its base's are compressed once per base, not once
//! per card.
//!
//! fdeflate (used until now, and still the reference in the tests) writes
//! one block with a fixed Huffman code tuned for filtered PNG rows, and its
//! only matches are runs of zeros within the bytes given to it at once. A
//! piece's bits therefore depend on nothing but the piece: compressed
//! alone, they can be put into any stream at any bit, which fdeflate's API
//! cannot do. The code, the block header and the way runs are written are
//! fdeflate's (MIT or Apache-2.0), so a stream made here is the bytes
//! fdeflate makes of the same rows.

/// fdeflate's code lengths of the literal/length symbols 0-285.
const LENGTHS: [u8; 286] = [
    2, 3, 4, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11,
    11, 11, 11, 11, 11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 11, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9, 9,
    9, 9, 9, 8, 9, 8, 8, 8, 8, 8, 7, 7, 7, 6, 6, 6, 5, 4, 3, 12, 12, 12, 9, 9, 11, 10, 11, 11, 10, 11, 11, 11, 11, 11,
    11, 12, 11, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 9,
];

/// The zlib header and the block's header (its code lengths), as fdeflate
/// writes them: 53 bytes and the 5 low bits of the last.
const HEADER: [u8; 54] = [
    120, 1, 237, 192, 3, 160, 36, 89, 150, 198, 241, 255, 119, 238, 141, 200, 204, 167, 114, 75, 99, 174, 109, 219,
    182, 109, 219, 182, 109, 219, 182, 109, 105, 140, 158, 150, 74, 175, 158, 50, 51, 34, 238, 249, 118, 183, 106, 122,
    166, 135, 59, 107, 213, 15,
];

/// The canonical Huffman codes of [`LENGTHS`], bit-reversed as deflate
/// writes them.
const CODES: [u16; 286] = {
    let mut codes = [0u16; 286];
    let mut code = 0u32;
    let mut len = 1;
    while len <= 16 {
        let mut i = 0;
        while i < LENGTHS.len() {
            if LENGTHS[i] == len {
                codes[i] = (code as u16).reverse_bits() >> (16 - len);
                code += 1;
            }
            i += 1;
        }
        code <<= 1;
        len += 1;
    }
    assert!(code == 2 << 16, "the code lengths make a complete code");
    codes
};

/// The first length of each length symbol 257-284 (deflate's table; 285,
/// length 258, is written on its own).
const LENGTH_BASES: [u32; 28] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227];

/// The symbol and the count of extra bits of each match length 3-257.
const LENGTH_SYMBOLS: [(u16, u8); 258] = {
    let mut table = [(0u16, 0u8); 258];
    let mut sym = 0;
    while sym < LENGTH_BASES.len() {
        let extra = if sym < 8 { 0 } else { (sym / 4 - 1) as u8 };
        let mut len = LENGTH_BASES[sym];
        while len < LENGTH_BASES[sym] + (1 << extra) && len < 258 {
            table[len as usize] = (257 + sym as u16, extra);
            len += 1;
        }
        sym += 1;
    }
    table
};

/// Bits written least significant first, eight bytes at a time.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    buffer: u64,
    nbits: u8,
}

impl Bits {
    fn write(&mut self, bits: u64, nbits: u8) {
        debug_assert!(nbits <= 64);
        self.buffer |= bits << self.nbits;
        self.nbits += nbits;
        if self.nbits >= 64 {
            self.out.extend_from_slice(&self.buffer.to_le_bytes());
            self.nbits -= 64;
            self.buffer = bits.checked_shr(u32::from(nbits - self.nbits)).unwrap_or(0);
        }
    }

    fn symbol(&mut self, symbol: usize) {
        self.write(u64::from(CODES[symbol]), LENGTHS[symbol]);
    }

    /// A run of `run` zeros: a zero, then matches one byte back (distance
    /// code 0 is one bit, 0, written after the length's extra bits).
    fn run(&mut self, mut run: u32) {
        self.symbol(0);
        run -= 1;
        while run >= 258 {
            self.write(u64::from(CODES[285]), LENGTHS[285] + 1);
            run -= 258;
        }
        if run > 4 {
            let (symbol, extra) = LENGTH_SYMBOLS[run as usize];
            self.symbol(usize::from(symbol));
            self.write(u64::from(run - LENGTH_BASES[usize::from(symbol) - 257]), extra + 1);
        } else {
            // Code 0 is all zero bits.
            debug_assert_eq!(CODES[0], 0);
            self.write(0, run as u8 * LENGTHS[0]);
        }
    }

    /// `data` compressed as fdeflate's `write_data` does.
    fn data(&mut self, data: &[u8]) {
        let mut run = 0;
        let mut chunks = data.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if word == 0 {
                run += 8;
                continue;
            } else if run > 0 {
                let run_extra = word.trailing_zeros() / 8;
                self.run(run + run_extra);
                run = 0;
                if run_extra > 0 {
                    run = word.leading_zeros() / 8;
                    for &b in &chunk[run_extra as usize..8 - run as usize] {
                        self.symbol(usize::from(b));
                    }
                    continue;
                }
            }
            let run_start = word.leading_zeros() / 8;
            if run_start > 0 {
                for &b in &chunk[..8 - run_start as usize] {
                    self.symbol(usize::from(b));
                }
                run = run_start;
                continue;
            }
            // Four symbols at a time: at most 48 bits.
            for half in chunk.chunks_exact(4) {
                let (mut bits, mut n) = (0u64, 0u8);
                for &b in half {
                    bits |= u64::from(CODES[usize::from(b)]) << n;
                    n += LENGTHS[usize::from(b)];
                }
                self.write(bits, n);
            }
        }
        if run > 0 {
            self.run(run);
        }
        for &b in chunks.remainder() {
            self.symbol(usize::from(b));
        }
    }

    /// Appends piece `i` of `pieces`.
    fn append(&mut self, pieces: &Pieces, i: usize) {
        let piece = &pieces.pieces[i];
        let start = if i == 0 { 0 } else { pieces.pieces[i - 1].end };
        for chunk in pieces.bytes[start..piece.end].chunks_exact(8) {
            self.write(u64::from_le_bytes(chunk.try_into().expect("eight bytes")), 64);
        }
        self.write(piece.tail, piece.tail_bits);
    }
}

/// Pieces of data compressed each on its own, to be put into streams: their
/// bits one after the other (each a whole number of words, then a tail of
/// fewer than 64 bits kept aside).
#[derive(Default)]
pub(super) struct Pieces {
    bytes: Vec<u8>,
    pieces: Vec<Piece>,
}

/// Where a piece's words end in [`Pieces::bytes`], its last bits, and the
/// Adler-32 and length of its data.
struct Piece {
    end: usize,
    tail: u64,
    tail_bits: u8,
    adler: u32,
    len: u64,
}

impl Pieces {
    /// Compresses `data` as the next piece.
    pub(super) fn push(&mut self, data: &[u8]) {
        let mut bits = Bits { out: std::mem::take(&mut self.bytes), ..Bits::default() };
        bits.data(data);
        self.bytes = bits.out;
        self.pieces.push(Piece {
            end: self.bytes.len(),
            tail: bits.buffer,
            tail_bits: bits.nbits,
            adler: zlib_rs::adler32::adler32(1, data),
            len: data.len() as u64,
        });
    }
}

/// A zlib stream, written a piece at a time.
pub(super) struct Stream {
    bits: Bits,
    adler: u32,
}

impl Stream {
    /// A stream that will hold about `capacity` bytes.
    pub(super) fn new(capacity: usize) -> Stream {
        let mut bits = Bits { out: Vec::with_capacity(capacity), ..Bits::default() };
        bits.out.extend_from_slice(&HEADER[..53]);
        bits.write(u64::from(HEADER[53]), 5);
        Stream { bits, adler: 1 }
    }

    /// Compresses `data` into the stream.
    pub(super) fn write(&mut self, data: &[u8]) {
        self.adler = zlib_rs::adler32::adler32(self.adler, data);
        self.bits.data(data);
    }

    /// Puts piece `i` of `pieces`, compressed before, into the stream: the
    /// bytes [`Stream::write`] would have made of its data.
    pub(super) fn put(&mut self, pieces: &Pieces, i: usize) {
        let piece = &pieces.pieces[i];
        self.adler = zlib_rs::adler32::adler32_combine(self.adler, piece.adler, piece.len);
        self.bits.append(pieces, i);
    }

    /// The whole stream: the end of the block, the last byte and the
    /// checksum written.
    pub(super) fn finish(mut self) -> Vec<u8> {
        self.bits.symbol(256);
        let Bits { mut out, buffer, nbits } = self.bits;
        out.extend_from_slice(&buffer.to_le_bytes()[..usize::from(nbits).div_ceil(8)]);
        out.extend_from_slice(&self.adler.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fdeflate's stream of `rows`, each given to it at once.
    fn fdeflate(rows: &[Vec<u8>]) -> Vec<u8> {
        let mut compressor = fdeflate::Compressor::new(Vec::new()).unwrap();
        for row in rows {
            compressor.write_data(row).unwrap();
        }
        compressor.finish().unwrap()
    }

    /// Rows like filtered pictures: runs of zeros of every length (past
    /// 258 and around eight-byte words), noise, and flat colour.
    fn rows() -> Vec<Vec<u8>> {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut rows = Vec::new();
        for n in 0..120usize {
            let len = [1, 7, 8, 9, 300, 1000, 3721][n % 7];
            let mut row = vec![0u8; len];
            let mut i = 0;
            while i < len {
                let r = next();
                let span = (r >> 8) as usize % [3, 17, 70, 600][n % 4] + 1;
                let fill = if r % 3 == 0 { (r >> 40) as u8 } else { 0 };
                for b in row.iter_mut().skip(i).take(span) {
                    *b = if r % 5 == 0 { (next() >> 56) as u8 } else { fill };
                }
                i += span;
            }
            rows.push(row);
        }
        rows.push(vec![0; 5000]);
        rows.push((0..=255).collect());
        rows
    }

    #[test]
    fn pieces_written_or_put_make_fdeflates_bytes() {
        let rows = rows();
        let expected = fdeflate(&rows);
        let mut pieces = Pieces::default();
        for row in &rows {
            pieces.push(row);
        }
        let mut written = Stream::new(0);
        let mut put = Stream::new(0);
        let mut mixed = Stream::new(0);
        for (n, row) in rows.iter().enumerate() {
            written.write(row);
            put.put(&pieces, n);
            if n % 3 == 0 {
                mixed.put(&pieces, n);
            } else {
                mixed.write(row);
            }
        }
        assert_eq!(written.finish(), expected);
        assert_eq!(put.finish(), expected);
        let mixed = mixed.finish();
        assert_eq!(mixed, expected);
        let all: Vec<u8> = rows.concat();
        assert_eq!(fdeflate::decompress_to_vec(&mixed).unwrap(), all);
    }

    #[test]
    fn an_empty_stream_is_fdeflates() {
        assert_eq!(Stream::new(0).finish(), fdeflate(&[]));
        assert_eq!(Stream::new(0).finish(), fdeflate(&[Vec::new()]));
    }
}
