//! SIMD lanes: WebAssembly SIMD128 when the build enables it (the package's does, see
//! .cargo/config.toml), plain arrays otherwise, which native compilers vectorise on their own.
//! The network's inner loops are written once against these types:
//! - [`F4`]: four f32 (depthwise convolutions, pooling, the output stage);
//! - [`I4`] and [`H8`]: four i32 accumulators and eight i16 lanes, for the 1x1 and stem
//!   convolutions as integer dot products (`i32x4.dot_i16x8_s`: 8 multiply-adds in one
//!   instruction, where f32 needs a multiply and an add for 4).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F4(f32x4_splat(v))
        }
        /// The first four values of `s`.
        #[inline(always)]
        pub fn load(s: &[f32]) -> Self {
            let s = &s[..4];
            // SAFETY: `s` holds 4 f32s (checked by the slice above); v128.load has no alignment
            // requirement.
            F4(unsafe { v128_load(s.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32]) {
            let s = &mut s[..4];
            // SAFETY: as in `load`.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
        }
        /// # Safety
        /// `p..p + 4` must be readable f32s.
        #[inline(always)]
        pub unsafe fn load_ptr(p: *const f32) -> Self {
            F4(v128_load(p as *const v128))
        }
        /// # Safety
        /// `p..p + 4` must be writable f32s.
        #[inline(always)]
        pub unsafe fn store_ptr(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        /// self + a * b
        #[inline(always)]
        pub fn mul_add(self, a: F4, b: F4) -> Self {
            F4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> Self {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn max(self, o: F4) -> Self {
            F4(f32x4_pmax(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> Self {
            F4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            F4(f32x4_abs(self.0))
        }
        #[inline(always)]
        pub fn reduce_max(self) -> f32 {
            f32x4_extract_lane::<0>(self.0)
                .max(f32x4_extract_lane::<1>(self.0))
                .max(f32x4_extract_lane::<2>(self.0))
                .max(f32x4_extract_lane::<3>(self.0))
        }
        /// Rounds to the nearest integer and narrows two vectors to eight saturated i16.
        #[inline(always)]
        pub fn to_i16x8(a: F4, b: F4) -> H8 {
            let ia = i32x4_trunc_sat_f32x4(f32x4_nearest(a.0));
            let ib = i32x4_trunc_sat_f32x4(f32x4_nearest(b.0));
            H8(i16x8_narrow_i32x4(ia, ib))
        }
    }

    /// `acc[i] += src[i]` over the common length, 16 bytes per step.
    pub fn widen_add(acc: &mut [u32], src: &[u8]) {
        let mut a = acc.chunks_exact_mut(16);
        let mut s = src.chunks_exact(16);
        for (a, s) in (&mut a).zip(&mut s) {
            // SAFETY: `s` holds 16 bytes and `a` 16 u32s (chunks_exact), read and written as
            // one and four v128s; no alignment requirement.
            unsafe {
                let v = v128_load(s.as_ptr() as *const v128);
                let (lo, hi) = (u16x8_extend_low_u8x16(v), u16x8_extend_high_u8x16(v));
                let parts = [
                    u32x4_extend_low_u16x8(lo),
                    u32x4_extend_high_u16x8(lo),
                    u32x4_extend_low_u16x8(hi),
                    u32x4_extend_high_u16x8(hi),
                ];
                let d = a.as_mut_ptr() as *mut v128;
                for (k, p) in parts.into_iter().enumerate() {
                    v128_store(d.add(k), i32x4_add(v128_load(d.add(k)), p));
                }
            }
        }
        for (a, &s) in a.into_remainder().iter_mut().zip(s.remainder()) {
            *a += s as u32;
        }
    }

    #[derive(Clone, Copy)]
    pub struct I4(v128);

    #[derive(Clone, Copy)]
    pub struct H8(v128);

    impl H8 {
        /// The first eight values of `s`.
        #[inline(always)]
        pub fn load(s: &[i16]) -> Self {
            let s = &s[..8];
            // SAFETY: 8 i16s, checked above; no alignment requirement.
            H8(unsafe { v128_load(s.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [i16]) {
            let s = &mut s[..8];
            // SAFETY: as in `load`.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
        }
        /// `[s[0], s[1]]` repeated four times.
        #[inline(always)]
        pub fn pair(s: &[i16]) -> Self {
            let s = &s[..2];
            // SAFETY: 2 i16s (4 bytes), checked above; one 32-bit load, splatted.
            H8(unsafe { v128_load32_splat(s.as_ptr() as *const u32) })
        }
    }

    impl I4 {
        #[inline(always)]
        pub fn zero() -> Self {
            I4(i32x4_splat(0))
        }
        /// self + the pairwise dot products of `a` and `b`.
        #[inline(always)]
        pub fn dot_add(self, a: H8, b: H8) -> Self {
            I4(i32x4_add(self.0, i32x4_dot_i16x8(a.0, b.0)))
        }
        #[inline(always)]
        pub fn to_f4(self) -> F4 {
            F4(f32x4_convert_i32x4(self.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl F4 {
        #[inline(always)]
        pub fn from_array(a: [f32; 4]) -> Self {
            F4(a)
        }
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F4([v; 4])
        }
        #[inline(always)]
        pub fn load(s: &[f32]) -> Self {
            let mut a = [0.0; 4];
            a.copy_from_slice(&s[..4]);
            F4(a)
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32]) {
            s[..4].copy_from_slice(&self.0);
        }
        /// # Safety
        /// `p..p + 4` must be readable f32s.
        #[inline(always)]
        pub unsafe fn load_ptr(p: *const f32) -> Self {
            F4(std::ptr::read_unaligned(p as *const [f32; 4]))
        }
        /// # Safety
        /// `p..p + 4` must be writable f32s.
        #[inline(always)]
        pub unsafe fn store_ptr(self, p: *mut f32) {
            std::ptr::write_unaligned(p as *mut [f32; 4], self.0)
        }
        #[inline(always)]
        pub fn mul_add(self, a: F4, b: F4) -> Self {
            F4(std::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> Self {
            F4(std::array::from_fn(|i| self.0[i] + o.0[i]))
        }
        #[inline(always)]
        pub fn max(self, o: F4) -> Self {
            // pmax semantics, as on wasm: NaN in `self` gives `o`'s lane.
            F4(std::array::from_fn(|i| {
                if self.0[i] < o.0[i] {
                    o.0[i]
                } else {
                    self.0[i]
                }
            }))
        }
        #[inline(always)]
        pub fn mul(self, o: F4) -> Self {
            F4(std::array::from_fn(|i| self.0[i] * o.0[i]))
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            F4(self.0.map(f32::abs))
        }
        #[inline(always)]
        pub fn reduce_max(self) -> f32 {
            self.0.into_iter().fold(f32::MIN, f32::max)
        }
        /// Rounds to the nearest integer (ties to even, as wasm's `nearest`) and narrows two
        /// vectors to eight saturated i16.
        #[inline(always)]
        pub fn to_i16x8(a: F4, b: F4) -> H8 {
            let v = |x: f32| x.round_ties_even().clamp(-32768.0, 32767.0) as i16;
            H8::from_array(std::array::from_fn(|i| {
                if i < 4 {
                    v(a.0[i])
                } else {
                    v(b.0[i - 4])
                }
            }))
        }
    }

    /// `acc[i] += src[i]` over the common length.
    pub fn widen_add(acc: &mut [u32], src: &[u8]) {
        for (a, &s) in acc.iter_mut().zip(src) {
            *a += s as u32;
        }
    }

    pub use super::ints::{H8, I4};
}

/// The integer lanes off wasm: SSE2 on x86-64 (every x86-64 CPU has it, so no detection is
/// needed), plain arrays elsewhere (or with `RUSTFLAGS="--cfg idv_scalar"`, to test that path).
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_arch = "wasm32", target_feature = "simd128"))
))]
mod ints {
    use super::imp::F4;
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct I4(__m128i);

    #[derive(Clone, Copy)]
    pub struct H8(__m128i);

    impl H8 {
        #[inline(always)]
        pub fn load(s: &[i16]) -> Self {
            let s = &s[..8];
            // SAFETY: 8 i16s, checked above; unaligned load. SSE2 is part of x86-64.
            H8(unsafe { _mm_loadu_si128(s.as_ptr() as *const __m128i) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [i16]) {
            let s = &mut s[..8];
            // SAFETY: as in `load`.
            unsafe { _mm_storeu_si128(s.as_mut_ptr() as *mut __m128i, self.0) }
        }
        #[inline(always)]
        pub fn pair(s: &[i16]) -> Self {
            let v = s[0] as u16 as u32 | (s[1] as u16 as u32) << 16;
            // SAFETY: SSE2 is part of x86-64.
            H8(unsafe { _mm_set1_epi32(v as i32) })
        }
        #[inline(always)]
        pub fn from_array(a: [i16; 8]) -> Self {
            Self::load(&a)
        }
    }

    impl I4 {
        #[inline(always)]
        pub fn zero() -> Self {
            // SAFETY: SSE2 is part of x86-64.
            I4(unsafe { _mm_setzero_si128() })
        }
        #[inline(always)]
        pub fn dot_add(self, a: H8, b: H8) -> Self {
            // SAFETY: SSE2 is part of x86-64.
            I4(unsafe { _mm_add_epi32(self.0, _mm_madd_epi16(a.0, b.0)) })
        }
        #[inline(always)]
        pub fn to_f4(self) -> F4 {
            let mut a = [0i32; 4];
            // SAFETY: 4 i32s; unaligned store. SSE2 is part of x86-64.
            unsafe { _mm_storeu_si128(a.as_mut_ptr() as *mut __m128i, self.0) };
            F4::from_array(a.map(|v| v as f32))
        }
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod ints {
    use super::imp::F4;

    #[derive(Clone, Copy)]
    pub struct I4([i32; 4]);

    #[derive(Clone, Copy)]
    pub struct H8([i16; 8]);

    impl H8 {
        #[inline(always)]
        pub fn load(s: &[i16]) -> Self {
            let mut a = [0; 8];
            a.copy_from_slice(&s[..8]);
            H8(a)
        }
        #[inline(always)]
        pub fn store(self, s: &mut [i16]) {
            s[..8].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub fn pair(s: &[i16]) -> Self {
            let (a, b) = (s[0], s[1]);
            H8([a, b, a, b, a, b, a, b])
        }
        #[inline(always)]
        pub fn from_array(a: [i16; 8]) -> Self {
            H8(a)
        }
    }

    impl I4 {
        #[inline(always)]
        pub fn zero() -> Self {
            I4([0; 4])
        }
        #[inline(always)]
        pub fn dot_add(self, a: H8, b: H8) -> Self {
            I4(std::array::from_fn(|i| {
                self.0[i]
                    + a.0[2 * i] as i32 * b.0[2 * i] as i32
                    + a.0[2 * i + 1] as i32 * b.0[2 * i + 1] as i32
            }))
        }
        #[inline(always)]
        pub fn to_f4(self) -> F4 {
            F4::from_array(self.0.map(|v| v as f32))
        }
    }
}

pub(super) use imp::{widen_add, F4, H8, I4};
