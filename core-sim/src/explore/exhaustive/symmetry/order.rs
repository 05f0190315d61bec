//! A fixed total order on machine states of one world: each state written as words, every
//! variable-length list preceded by its length, so that two states get the same words exactly
//! when they are equal.

use crate::machine::{Buffered, Irte, Loc, Machine, RunState, ThreadState, Vcpu};

fn irte(x: &Irte) -> u64 {
    u64::from(x.guest_mode)
        | u64::from(x.is_run) << 1
        | u64::from(x.ga_log_intr) << 2
        | u64::from(x.destination) << 8
        | x.ga_tag.map_or(0, |v| u64::from(v) + 1) << 16
        | u64::from(x.vector) << 24
}

fn opt_irte(x: &Option<Irte>) -> u64 {
    x.as_ref().map_or(0, |x| irte(x) | 1 << 40)
}

fn vcpu(x: &Vcpu) -> u64 {
    let run = match x.run {
        RunState::Preempted => 0,
        RunState::Loaded(p) => 0x100 | u64::from(p),
        RunState::InGuest(p) => 0x200 | u64::from(p),
        RunState::Blocking => 0x300,
        RunState::Sleeping => 0x400,
    };
    run | u64::from(x.cpu) << 12
        | u64::from(x.waiting) << 20
        | u64::from(x.irr) << 24
        | u64::from(x.delivered) << 32
        | u64::from(x.request) << 40
        | u64::from(x.forced_exit) << 41
}

fn buffered(b: &Buffered, out: &mut Vec<u64>) {
    let loc = match b.loc {
        Loc::Entry(v) => u64::from(v),
        Loc::EntryHi(v) => 0x100 | u64::from(v),
        Loc::EntryLo(v) => 0x200 | u64::from(v),
        Loc::Link { vcpu, irte } => 0x300 | u64::from(vcpu) | u64::from(irte) << 4,
    };
    out.push(loc | u64::from(b.completes) << 12);
    out.push(b.value);
}

fn thread(x: &ThreadState, out: &mut Vec<u64>) {
    let o = |v: Option<u8>| v.map_or(0, |v| u64::from(v) + 1);
    out.push(
        u64::from(x.op)
            | u64::from(x.pc) << 8
            | u64::from(x.forced) << 16
            | o(x.regs.cursor) << 24
            | o(x.regs.target) << 32
            | o(x.regs.prev) << 40,
    );
    out.push(x.regs.entry);
    out.push(opt_irte(&x.regs.irte));
    out.push(opt_irte(&x.regs.edited));
    out.push(x.buffer.len() as u64);
    for b in &x.buffer {
        buffered(b, out);
    }
}

/// Thread `t`'s state and the lock slots it holds: what orders identical threads.
pub(super) fn thread_key(m: &Machine, t: u8) -> Vec<u64> {
    let mut out = Vec::with_capacity(8);
    thread(&m.threads[t as usize], &mut out);
    let held = m
        .locks
        .iter()
        .enumerate()
        .filter(|(_, h)| **h == Some(t))
        .fold(0u64, |acc, (s, _)| acc | 1 << s);
    out.push(held);
    out
}

/// `m` as words, into `out`.
pub(super) fn words(m: &Machine, out: &mut Vec<u64>) {
    out.clear();
    out.extend(m.vcpus.iter().map(vcpu));
    out.extend(&m.entries);
    out.extend(&m.kvm_entries);
    for w in &m.whole_values {
        out.push(w.len() as u64);
        out.extend(w);
    }
    for table in [&m.irtes, &m.irte_copies, &m.iommu_cache] {
        out.extend(table.iter().map(irte));
    }
    out.extend(m.ir_lists.iter().map(|&l| u64::from(l)));
    out.extend(m.owners.iter().map(|o| o.map_or(0, |v| u64::from(v) + 1)));
    out.extend(m.locks.iter().map(|o| o.map_or(0, |v| u64::from(v) + 1)));
    out.push(u64::from(m.lock_order) | u64::from(m.kick_ipis) << 16);
    out.push(m.ga_log.len() as u64);
    out.extend(m.ga_log.iter().map(|&v| u64::from(v)));
    for t in &m.threads {
        thread(t, out);
    }
}
