//! The Promela state vector: one global per field of [`Machine`], sized from the world, and the
//! initial state written from [`Sim::initial`] itself.
//!
//! Every reachable machine maps to exactly one vector and back: options are a value plus `NONE`
//! (255), growing lists (the GA log, store buffers, the whole-value record) are a count and a
//! fixed array whose unused tail stays zero, and the whole-value record is kept sorted.

use super::text::{lit, Text};
use crate::machine::{Irte, Loc, Machine, RunState};
use crate::program::{Program, StepKind};
use crate::sim::Sim;
use crate::strategy::MemoryModel;

/// `None` for a byte-sized option.
pub const NONE: u8 = 255;
/// Buffered store kinds ([`Loc`]).
pub const K_ENTRY: u8 = 0;
/// The high half of a torn store.
pub const K_HI: u8 = 1;
/// The low half of a torn store.
pub const K_LO: u8 = 2;
/// An ir_list link (value 1) or unlink (0).
pub const K_LINK: u8 = 3;
/// Most whole values recorded per entry, and most stores in one buffer.
const MAX_CAPACITY: usize = 32;

/// The sizes of the world's arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// vCPUs.
    pub vcpus: usize,
    /// pCPUs.
    pub pcpus: usize,
    /// IRTEs.
    pub irtes: usize,
    /// Threads (scripted ones, then the GA-log handler).
    pub threads: usize,
    /// Lock slots ([`crate::machine::LockId::slot`]).
    pub locks: usize,
    /// Whole values recorded per entry.
    pub whole: usize,
    /// Stores per store buffer (x86-TSO).
    pub buffer: usize,
    /// GA-log entries.
    pub ga_log: usize,
    /// Stores go through store buffers.
    pub tso: bool,
}

fn programs(sim: &Sim) -> impl Iterator<Item = &Program> {
    sim.threads
        .iter()
        .flat_map(|th| th.programs.iter().chain(th.forced.iter()))
}

fn count(progs: &mut dyn Iterator<Item = &Program>, f: impl Fn(&StepKind) -> bool) -> usize {
    progs
        .flat_map(|p| p.steps.iter())
        .filter(|s| f(&s.kind))
        .count()
}

fn is_store(k: &StepKind) -> bool {
    matches!(
        k,
        StepKind::WriteEntry(..) | StepKind::Link(..) | StepKind::Unlink(..)
    )
}

impl Layout {
    /// The sizes for `sim`. Capacities are bounds from the programs (a store step, a kick, an
    /// interrupt each run at most once per operation); the model asserts them (`capacity`).
    pub fn of(sim: &Sim) -> Layout {
        let m = sim.initial();
        let kicks = 1 + count(&mut programs(sim), |k| matches!(k, StepKind::Kick(_)));
        let stores = count(&mut programs(sim), is_store);
        let buffer = sim
            .threads
            .iter()
            .map(|th| {
                let mut ps = th.programs.iter().chain(th.forced.iter());
                count(&mut ps, is_store)
            })
            .max()
            .unwrap_or(0);
        Layout {
            vcpus: m.vcpus.len(),
            pcpus: m.pcpus as usize,
            irtes: m.irtes.len(),
            threads: sim.threads.len(),
            locks: m.locks.len(),
            whole: (1 + stores * kicks).clamp(2, MAX_CAPACITY),
            buffer: (buffer * kicks).clamp(1, MAX_CAPACITY),
            ga_log: count(&mut programs(sim), |k| {
                matches!(k, StepKind::IommuNotify(_))
            })
            .max(1),
            tso: sim.memory == MemoryModel::Tso,
        }
    }

    /// The declarations of the state vector and the scratch variables.
    pub fn declare(&self, t: &mut Text) {
        let n = |x: usize| x.max(1);
        t.line(format!("#define NONE {NONE}"));
        t.line(format!(
            "#define K_ENTRY {K_ENTRY}\n#define K_HI {K_HI}\n#define K_LO {K_LO}\n#define K_LINK {K_LINK}"
        ));
        for (name, code) in RUN_CODES {
            t.line(format!("#define {name} {code}"));
        }
        t.line(format!(
            "#define W {}\n#define B {}\n#define G {}",
            self.whole, self.buffer, self.ga_log
        ));
        t.line("typedef Irte { bit gm; bit rs; bit gal; byte dest; byte tag; byte vec };");
        t.line("typedef Vcpu { byte rs; byte rcpu; byte cpu; bit waiting; byte irr; byte deliv; bit req; bit fexit };");
        t.line("typedef Buf { byte kind; byte v; byte i; int hi; int lo; bit comp };");
        t.line("/* machine */");
        t.line(format!("Vcpu vc[{}];", self.vcpus));
        t.line(format!(
            "int ehi[{v}]; int elo[{v}]; int khi[{v}]; int klo[{v}];",
            v = self.vcpus
        ));
        t.line(format!(
            "byte wcnt[{v}]; int whi[{vw}]; int wlo[{vw}];",
            v = self.vcpus,
            vw = self.vcpus * self.whole
        ));
        let i = n(self.irtes);
        t.line(format!(
            "Irte irte[{i}]; Irte copy[{i}]; Irte cache[{i}]; byte owner[{i}];"
        ));
        t.line(format!(
            "byte irl[{}]; byte lk[{}];",
            self.vcpus, self.locks
        ));
        t.line("int lorder; byte glog[G]; byte gcnt; byte kicks;");
        let th = self.threads;
        t.line("/* threads: script position and registers */");
        t.line(format!("byte op[{th}]; byte pc[{th}]; bit fc[{th}];"));
        t.line(format!(
            "int rhi[{th}]; int rlo[{th}]; byte cur[{th}]; byte tgt[{th}]; byte prv[{th}];"
        ));
        t.line(format!(
            "Irte rir[{th}]; bit rir_has[{th}]; Irte red[{th}]; bit red_has[{th}];"
        ));
        if self.tso {
            t.line("/* x86-TSO store buffers, oldest first */");
            t.line(format!("byte bcnt[{th}]; Buf buf[{}];", th * self.buffer));
        }
        t.line("/* scratch, not part of the state */");
        t.line("hidden int th, tl, sh, sl, hk, hx, hy; hidden byte hv, hz; hidden byte jmp, found, hb;");
        t.line("hidden int seen, front, nxt;");
        let kinds: Vec<&str> = crate::vocab::ViolationKind::ALL
            .iter()
            .map(|k| kind_var(k.id()))
            .collect();
        t.line(format!("hidden byte {}, capacity;", kinds.join(", ")));
    }

    /// Statements that set the state vector to machine `m` (every field, zeros included).
    pub fn assign(&self, t: &mut Text, m: &Machine) {
        for (v, vc) in m.vcpus.iter().enumerate() {
            let (run, rcpu) = run_code(vc.run);
            t.line(format!(
                "vc[{v}].rs = {run}; vc[{v}].rcpu = {rcpu}; vc[{v}].cpu = {}; vc[{v}].waiting = {}; vc[{v}].irr = {}; vc[{v}].deliv = {}; vc[{v}].req = {}; vc[{v}].fexit = {};",
                vc.cpu, vc.waiting as u8, vc.irr, vc.delivered, vc.request as u8, vc.forced_exit as u8
            ));
            let (hi, lo) = halves(m.entries[v]);
            let (khi, klo) = halves(m.kvm_entries[v]);
            t.line(format!(
                "ehi[{v}] = {hi}; elo[{v}] = {lo}; khi[{v}] = {khi}; klo[{v}] = {klo};"
            ));
            let whole = &m.whole_values[v];
            t.line(format!("wcnt[{v}] = {};", whole.len()));
            for (k, w) in whole.iter().enumerate() {
                let (hi, lo) = halves(*w);
                let at = v * self.whole + k;
                t.line(format!("whi[{at}] = {hi}; wlo[{at}] = {lo};"));
            }
            t.line(format!("irl[{v}] = {};", m.ir_lists[v]));
        }
        for i in 0..m.irtes.len() {
            t.line(irte_set(&format!("irte[{i}]"), &m.irtes[i]));
            t.line(irte_set(&format!("copy[{i}]"), &m.irte_copies[i]));
            t.line(irte_set(&format!("cache[{i}]"), &m.iommu_cache[i]));
            t.line(format!("owner[{i}] = {};", opt(m.owners[i])));
        }
        for (s, h) in m.locks.iter().enumerate() {
            t.line(format!("lk[{s}] = {};", opt(*h)));
        }
        t.line(format!(
            "lorder = {}; gcnt = {}; kicks = {};",
            m.lock_order,
            m.ga_log.len(),
            m.kick_ipis
        ));
        for (k, g) in m.ga_log.iter().enumerate() {
            t.line(format!("glog[{k}] = {g};"));
        }
        for (n, ts) in m.threads.iter().enumerate() {
            let (hi, lo) = halves(ts.regs.entry);
            t.line(format!(
                "op[{n}] = {}; pc[{n}] = {}; fc[{n}] = {}; rhi[{n}] = {hi}; rlo[{n}] = {lo}; cur[{n}] = {}; tgt[{n}] = {}; prv[{n}] = {};",
                ts.op, ts.pc, ts.forced as u8, opt(ts.regs.cursor), opt(ts.regs.target), opt(ts.regs.prev)
            ));
            for (name, reg) in [("rir", ts.regs.irte), ("red", ts.regs.edited)] {
                let at = format!("{name}[{n}]");
                t.line(reg.map_or_else(|| irte_none(&at), |i| irte_set(&at, &i)));
            }
            t.line(format!(
                "rir_has[{n}] = {}; red_has[{n}] = {};",
                ts.regs.irte.is_some() as u8,
                ts.regs.edited.is_some() as u8
            ));
            if self.tso {
                t.line(format!("bcnt[{n}] = {};", ts.buffer.len()));
                for (k, b) in ts.buffer.iter().enumerate() {
                    let (kind, irte) = match b.loc {
                        Loc::Entry(_) => (K_ENTRY, 0),
                        Loc::EntryHi(_) => (K_HI, 0),
                        Loc::EntryLo(_) => (K_LO, 0),
                        Loc::Link { irte, .. } => (K_LINK, irte),
                    };
                    let (hi, lo) = halves(b.value);
                    let at = n * self.buffer + k;
                    t.line(format!(
                        "buf[{at}].kind = {kind}; buf[{at}].v = {}; buf[{at}].i = {irte}; buf[{at}].hi = {hi}; buf[{at}].lo = {lo}; buf[{at}].comp = {};",
                        b.loc.vcpu(),
                        b.completes as u8
                    ));
                }
            }
        }
    }
}

/// The Promela names of the [`RunState`] variants.
pub const RUN_CODES: [(&str, u8); 5] = [
    ("PREEMPTED", 0),
    ("LOADED", 1),
    ("INGUEST", 2),
    ("BLOCKING", 3),
    ("SLEEPING", 4),
];

/// A run state as (code, pCPU); the pCPU is 0 where the state has none.
pub fn run_code(r: RunState) -> (u8, u8) {
    match r {
        RunState::Preempted => (0, 0),
        RunState::Loaded(p) => (1, p),
        RunState::InGuest(p) => (2, p),
        RunState::Blocking => (3, 0),
        RunState::Sleeping => (4, 0),
    }
}

/// A 64-bit value as Promela literals of its high and low 32 bits.
pub fn halves(v: u64) -> (String, String) {
    (lit((v >> 32) as u32), lit(v as u32))
}

/// A byte option as a literal.
pub fn opt(v: Option<u8>) -> u8 {
    v.unwrap_or(NONE)
}

/// The scratch flag that names a violation kind in SPIN's output (`stale-irte` → `stale_irte`).
pub fn kind_var(id: &str) -> &'static str {
    crate::vocab::ViolationKind::ALL
        .iter()
        .map(|k| k.id())
        .zip(KIND_VARS)
        .find(|(k, _)| *k == id)
        .map_or("capacity", |(_, v)| v)
}

/// The flag names, in the order of [`crate::vocab::ViolationKind::ALL`].
pub const KIND_VARS: [&str; 6] = [
    "stale_irte",
    "lost_wakeup",
    "delayed_delivery",
    "torn_read",
    "deadlock",
    "irte_mixed_update",
];

fn irte_set(at: &str, i: &Irte) -> String {
    format!(
        "{at}.gm = {}; {at}.rs = {}; {at}.gal = {}; {at}.dest = {}; {at}.tag = {}; {at}.vec = {};",
        i.guest_mode as u8,
        i.is_run as u8,
        i.ga_log_intr as u8,
        i.destination,
        opt(i.ga_tag),
        i.vector
    )
}

/// Copy an IRTE field by field (Promela has no structure assignment).
pub fn irte_copy(dst: &str, src: &str) -> String {
    ["gm", "rs", "gal", "dest", "tag", "vec"]
        .iter()
        .map(|f| format!("{dst}.{f} = {src}.{f};"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two IRTEs differ in any field.
pub fn irte_differ(a: &str, b: &str) -> String {
    ["gm", "rs", "gal", "dest", "tag", "vec"]
        .iter()
        .map(|f| format!("{a}.{f} != {b}.{f}"))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// Clear an IRTE register to the canonical `None`.
pub fn irte_none(at: &str) -> String {
    format!("{at}.gm = 0; {at}.rs = 0; {at}.gal = 0; {at}.dest = 0; {at}.tag = 0; {at}.vec = 0;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_cover_the_programs() {
        let sim = Sim::from_ids("retarget-vs-old-owner", "linux-6.6", "tso").unwrap();
        let l = Layout::of(&sim);
        assert_eq!((l.vcpus, l.threads), (2, sim.threads.len()));
        assert!(l.tso && l.buffer >= 1 && l.whole >= 2 && l.ga_log >= 1);
        assert_eq!(kind_var("irte-mixed-update"), "irte_mixed_update");
        assert_eq!(kind_var("no-such-kind"), "capacity");
    }

    #[test]
    fn halves_split_a_64_bit_value() {
        assert_eq!(halves(1 << 63 | 5), ("-2147483648".into(), "5".into()));
    }
}
