//! Memory models, and the lab's own words (scenario, strategy, micro-step, oracle, thread states).

use super::{Term, Topic};

const fn t(
    topic: Topic,
    id: &'static str,
    name: &'static str,
    also: &'static [&'static str],
    definition: &'static str,
    source: &'static str,
) -> Term {
    Term {
        id,
        name,
        also,
        topic,
        definition,
        source,
    }
}

const M: Topic = Topic::Memory;
const L: Topic = Topic::Model;

/// The memory-model terms.
pub(super) const MEMORY: &[Term] = &[
    t(
        M,
        "sc",
        "SC (sequential consistency)",
        &["sc"],
        "The simplest memory model: every store is visible to every CPU the moment it is made, so a run is one interleaving of the threads' steps.",
        "Lamport, \"How to Make a Multiprocessor Computer That Correctly Executes Multiprocess Programs\", 1979",
    ),
    t(
        M,
        "tso",
        "x86-TSO",
        &["tso", "total store order"],
        "The memory model of x86 CPUs: each CPU's stores go into its own FIFO store buffer and reach memory later, so another CPU can read an older value; a CPU reads its own buffered stores. Fences, locked instructions (cmpxchg, spin_unlock) drain the buffer.",
        "Sewell, Sarkar, Owens, Zappa Nardelli, Myreen, \"x86-TSO\", CACM 53(7), 2010",
    ),
    t(
        M,
        "store-buffer",
        "store buffer",
        &["buffered store", "flush"],
        "Under x86-TSO, a thread's stores not yet visible to others, oldest first. In the lab a letter key (a–j) flushes that thread's oldest buffered store; a lock release, a locked cmpxchg, set_current_state() or VMRUN drains it.",
        "",
    ),
    t(
        M,
        "torn-store",
        "torn store",
        &["plain store", "READ_ONCE/WRITE_ONCE"],
        "A plain C store of a 64-bit value that the compiler may split into two 32-bit stores, so a concurrent reader (AVIC reading the entry) can see half of each. WRITE_ONCE makes it one store; READ_ONCE one load.",
        "WRITE_ONCE of the physical ID entry in avic_vcpu_load()/avic_vcpu_put(), all versions; Sean on READ_ONCE under the lock, 19 Jul 2023 (docs/kernel-notes.md §1, §4)",
    ),
];

/// The lab's own words.
pub(super) const MODEL: &[Term] = &[
    t(
        L,
        "scenario",
        "scenario",
        &["world"],
        "What runs: the pCPUs and vCPUs, the IRTEs and where they post, and each thread's script of kernel operations (load, put, block, retarget, …). A scenario with a strategy and a memory model is a world.",
        "",
    ),
    t(
        L,
        "strategy",
        "strategy",
        &["preset", "knobs"],
        "How the kernel code is written: a Linux version (linux-6.5 … linux-6.17), the posted 2023 patch, or a design nobody shipped, as a set of knobs (which lock is held, which read is plain, …).",
        "",
    ),
    t(
        L,
        "micro-step",
        "micro-step",
        &["step"],
        "One shared-memory access of one thread (a read, a write, a lock, a cmpxchg), with a line of pseudo-code naming the kernel function it stands for. Between two micro-steps any other thread may run.",
        "",
    ),
    t(
        L,
        "schedule",
        "schedule (string)",
        &["interleaving", "run"],
        "The order in which the threads' micro-steps ran, written as a string: a digit runs that thread's next step, a letter flushes its store buffer. Every schedule replays exactly, in the web app and the CLI.",
        "",
    ),
    t(
        L,
        "oracle",
        "oracle",
        &["invariant", "checker"],
        "A test of a state (or a step) that says whether something went wrong: a stale IRTE, a lost wake-up, a delayed delivery, a torn read, a deadlock or a mixed IRTE update.",
        "",
    ),
    t(
        L,
        "counterexample",
        "counterexample",
        &["shortest schedule"],
        "A schedule that reaches a violation. The exhaustive checker explores every interleaving breadth-first, so the first one it finds for each kind is a shortest.",
        "",
    ),
    t(
        L,
        "thread-ready",
        "ready",
        &["can run"],
        "A thread whose next micro-step can run now: click its pane, or press its number, to run it.",
        "",
    ),
    t(
        L,
        "thread-waiting",
        "spinning",
        &["spinning on a lock", "draining its store buffer", "waiting"],
        "A thread that cannot step now: it spins on a lock another thread holds, or waits for its store buffer to drain.",
        "",
    ),
    t(
        L,
        "thread-idle",
        "idle",
        &["idle (GA log empty)"],
        "A handler thread with nothing to handle, such as the GA log handler while the GA log is empty.",
        "",
    ),
    t(
        L,
        "thread-done",
        "done",
        &["finished"],
        "A thread whose script has run to its end.",
        "",
    ),
];
