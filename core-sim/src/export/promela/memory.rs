//! Memory as the steps share it with the store-buffer processes: commits, the whole-value
//! record, store buffers and what a thread sees through its own, the shared inlines (wake-ups,
//! delivery, doorbells, the lock-order graph), and the store-buffer processes themselves.

use super::layout::Layout;
use super::oracles::check;
use super::text::Text;
use crate::sim::Sim;
use crate::vocab::ViolationKind;

/// The inlines every step may use: memory commits, the whole-value record, wake-ups, delivery,
/// doorbells and the lock-order graph.
pub fn inlines(sim: &Sim, l: &Layout, t: &mut Text) {
    t.line(
        "inline note_whole(v) {
  hx = 0;
  do
  :: (hx < wcnt[v] && (whi[v*W+hx] < ehi[v] || (whi[v*W+hx] == ehi[v] && wlo[v*W+hx] < elo[v]))) -> hx++
  :: else -> break
  od;
  if
  :: (hx < wcnt[v] && whi[v*W+hx] == ehi[v] && wlo[v*W+hx] == elo[v]) -> skip
  :: else ->
    capacity = (wcnt[v] >= W); assert(!capacity);
    hk = wcnt[v];
    do
    :: (hk > hx) -> whi[v*W+hk] = whi[v*W+hk-1]; wlo[v*W+hk] = wlo[v*W+hk-1]; hk--
    :: else -> break
    od;
    whi[v*W+hx] = ehi[v]; wlo[v*W+hx] = elo[v]; wcnt[v]++
  fi
}
inline commit(k, v, i, h, l, c) {
  if
  :: (k == K_ENTRY) -> ehi[v] = h; elo[v] = l
  :: (k == K_HI) -> ehi[v] = l
  :: (k == K_LO) -> elo[v] = l
  :: else -> if :: (l != 0) -> irl[v] = irl[v] | (1 << i) :: else -> irl[v] = irl[v] & ~(1 << i) fi
  fi;
  if :: (k != K_LINK && c) -> note_whole(v) :: else -> skip fi
}
inline wake(v) {
  if
  :: vc[v].waiting -> vc[v].waiting = 0; if :: (vc[v].rs == SLEEPING) -> vc[v].rs = BLOCKING :: else -> skip fi
  :: else -> skip
  fi
}
inline take_irr(v) {
  if :: (vc[v].irr != 0) -> vc[v].deliv = vc[v].deliv | vc[v].irr; vc[v].irr = 0 :: else -> skip fi
}
inline kick_for_interrupt(v) {
  wake(v);
  if :: (vc[v].rs == INGUEST) -> take_irr(v) :: else -> skip fi
}
inline lock_path(from, to) {
  seen = 1 << from; front = seen;
  do
  :: (front != 0) ->
    nxt = 0;
    for (hx : 0 .. 3) {
      if
      :: ((front & (1 << hx)) != 0) ->
        for (hy : 0 .. 3) { if :: ((lorder & (1 << (4*hx+hy))) != 0) -> nxt = nxt | (1 << hy) :: else -> skip fi }
      :: else -> skip
      fi
    }
    front = nxt & ~seen; seen = seen | nxt
  :: else -> break
  od;
  found = ((seen & (1 << to)) != 0)
}",
    );
    t.open("inline doorbell(apic, target) {");
    check(
        sim,
        t,
        ViolationKind::DelayedDelivery,
        "vc[(target)].rs == INGUEST && (apic) != vc[(target)].rcpu + 1",
    );
    t.line("hz = (apic); found = 0;");
    t.when(&format!("hz >= 1 && hz <= {}", l.pcpus), |t| {
        for v in 0..l.vcpus {
            t.line(format!(
                "if :: (!found && vc[{v}].rs == INGUEST && vc[{v}].rcpu == hz - 1) -> found = 1; take_irr({v}) :: else -> skip fi;"
            ));
        }
    });
    t.close("}");
}

/// One store as Promela operands: a [`crate::machine::Buffered`] (the value as its two halves).
pub struct Store<'a> {
    /// `K_ENTRY`, `K_HI`, `K_LO` or `K_LINK`.
    pub kind: u8,
    /// The vCPU whose entry or list it writes.
    pub vcpu: &'a str,
    /// The IRTE a link names (0 otherwise).
    pub irte: &'a str,
    /// The value's high and low 32 bits.
    pub hi: &'a str,
    /// See `hi`.
    pub lo: &'a str,
    /// After it, the entry holds a value meant whole.
    pub completes: u8,
}

/// The body of a store: into memory under SC, into thread `th`'s buffer under x86-TSO.
pub fn store(l: &Layout, t: &mut Text, th: usize, s: Store) {
    let Store {
        kind: k,
        vcpu: v,
        irte: i,
        hi: h,
        lo,
        completes: c,
    } = s;
    if l.tso {
        let at = format!("buf[{th}*B + bcnt[{th}]]");
        t.line(format!("capacity = (bcnt[{th}] >= B); assert(!capacity);"));
        t.line(format!(
            "{at}.kind = {k}; {at}.v = {v}; {at}.i = {i}; {at}.hi = {h}; {at}.lo = {lo}; {at}.comp = {c}; bcnt[{th}]++;"
        ));
    } else {
        t.line(format!("commit({k}, {v}, {i}, {h}, {lo}, {c});"));
    }
}

/// `th, tl` := entry `v` as thread `n` sees it (memory, then its own buffered stores).
pub fn entry_view(l: &Layout, t: &mut Text, n: usize, v: u8) {
    t.line(format!("th = ehi[{v}]; tl = elo[{v}];"));
    if l.tso {
        let b = format!("buf[{n}*B + hk]");
        t.line(format!(
            "for (hk : 0 .. B-1) {{ if :: (hk < bcnt[{n}] && {b}.kind != K_LINK && {b}.v == {v}) -> if :: ({b}.kind == K_ENTRY) -> th = {b}.hi; tl = {b}.lo :: ({b}.kind == K_HI) -> th = {b}.lo :: else -> tl = {b}.lo fi :: else -> skip fi }}"
        ));
    }
}

/// `hz` := vCPU `v`'s ir_list as thread `n` sees it.
pub fn list_view(l: &Layout, t: &mut Text, n: usize, v: u8) {
    t.line(format!("hz = irl[{v}];"));
    if l.tso {
        let b = format!("buf[{n}*B + hk]");
        t.line(format!(
            "for (hk : 0 .. B-1) {{ if :: (hk < bcnt[{n}] && {b}.kind == K_LINK && {b}.v == {v}) -> if :: ({b}.lo != 0) -> hz = hz | (1 << {b}.i) :: else -> hz = hz & ~(1 << {b}.i) fi :: else -> skip fi }}"
        ));
    }
}

/// The store-buffer process of thread `n`: commit its oldest store ([`crate::exec::Action::Flush`]).
pub fn flusher(l: &Layout, t: &mut Text, n: usize) {
    t.open(format!("proctype Flush{n}() {{"));
    t.line("end: do");
    t.open(format!(":: d_step {{ (bcnt[{n}] > 0) ->"));
    let b0 = format!("buf[{n}*B]");
    t.line(format!(
        "hz = {b0}.kind; hv = {b0}.v; hy = {b0}.i; sh = {b0}.hi; sl = {b0}.lo; hb = {b0}.comp;"
    ));
    if l.buffer > 1 {
        let (a, b) = (format!("buf[{n}*B+hx-1]"), format!("buf[{n}*B+hx]"));
        t.line(format!(
            "for (hx : 1 .. B-1) {{ {a}.kind = {b}.kind; {a}.v = {b}.v; {a}.i = {b}.i; {a}.hi = {b}.hi; {a}.lo = {b}.lo; {a}.comp = {b}.comp }}"
        ));
    }
    let last = format!("buf[{n}*B+B-1]");
    t.line(format!(
        "{last}.kind = 0; {last}.v = 0; {last}.i = 0; {last}.hi = 0; {last}.lo = 0; {last}.comp = 0; bcnt[{n}]--;"
    ));
    t.line("commit(hz, hv, hy, sh, sl, hb);");
    t.line("check_stale()");
    t.close("}");
    t.line("od");
    t.close("}");
}
