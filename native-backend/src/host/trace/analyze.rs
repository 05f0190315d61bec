//! Per-vCPU timelines from decoded events, replayed through invariants in the spirit of the
//! core's oracles. A trace cannot show IRTE contents or the physical ID table, so these are the
//! observable shadows of the model's violations, not the violations themselves.

use super::parse::{Ev, Record};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Tunables.
#[derive(Clone, Debug)]
pub struct Options {
    /// A vCPU not back in the guest this long after a GA-log wake-up is a near-lost wake-up.
    pub wake_threshold_ns: u64,
    /// Host CPU → host APIC ID (identity when empty).
    pub apic_of_cpu: BTreeMap<u32, u32>,
}

/// Where a vCPU's task is, as far as sched_switch tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sched {
    /// No scheduler event seen yet.
    Unknown,
    /// On a CPU.
    Running,
    /// Switched out runnable (preempted).
    Preempted,
    /// Switched out sleeping (halted / blocked).
    Blocked,
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable id.
    pub kind: &'static str,
    /// latency / hang-risk / risk-window.
    pub severity: &'static str,
    /// The vCPU.
    pub vcpu: u32,
    /// When.
    pub ts_ns: u64,
    /// Line in the file.
    pub line: usize,
    /// What and why.
    pub message: String,
}

/// A line of a vCPU's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Mark {
    /// When.
    pub ts_ns: u64,
    /// Line in the file.
    pub line: usize,
    /// What happened.
    pub what: String,
}

/// One vCPU's summary and timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timeline {
    /// Task pids seen running it.
    pub pids: BTreeSet<u32>,
    /// Host CPUs it entered the guest on.
    pub cpus: BTreeSet<u32>,
    /// VM entries.
    pub entries: u64,
    /// VM exits.
    pub exits: u64,
    /// Entries on a different CPU than the previous one.
    pub migrations: u64,
    /// Switched out sleeping.
    pub blocks: u64,
    /// Switched out runnable.
    pub preemptions: u64,
    /// GA-log wake-ups.
    pub ga_log: u64,
    /// KVM doorbells.
    pub doorbells: u64,
    /// IRTE updates aimed at it.
    pub irte_updates: u64,
    /// Incomplete IPIs it sent.
    pub incomplete_ipis: u64,
    /// Events in order.
    pub marks: Vec<Mark>,
}

#[derive(Clone, Debug)]
struct State {
    in_guest: Option<(u64, usize, u32)>,
    last_entry_cpu: Option<u32>,
    sched: Sched,
    galog_wait: Option<(u64, usize)>,
}

impl Default for State {
    fn default() -> Self {
        State {
            in_guest: None,
            last_entry_cpu: None,
            sched: Sched::Unknown,
            galog_wait: None,
        }
    }
}

/// The analysis.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Analysis {
    /// Per vCPU id.
    pub timelines: BTreeMap<u32, Timeline>,
    /// Findings in time order.
    pub findings: Vec<Finding>,
    /// Notes about the analysis itself (ambiguities, missing events).
    pub notes: Vec<String>,
    /// Events per name.
    pub event_counts: BTreeMap<String, u64>,
}

fn us(ns: u64) -> String {
    format!("{:.1} µs", ns as f64 / 1000.0)
}

/// `sec.usec` for messages.
pub fn ts(ns: u64) -> String {
    format!("{}.{:06}", ns / 1_000_000_000, (ns % 1_000_000_000) / 1000)
}

/// Analyse decoded events (already in time order).
pub fn analyze(events: &[(Record, Ev)], opts: &Options) -> Analysis {
    let mut a = Analysis::default();
    // Pass 1: which task runs which vCPU (from kvm_entry / kvm_exit).
    let mut pid_vcpu: HashMap<u32, u32> = HashMap::new();
    let mut vcpu_pids: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for (r, e) in events {
        *a.event_counts.entry(r.event.clone()).or_default() += 1;
        if let Ev::Entry { vcpu }
        | Ev::Exit {
            vcpu: Some(vcpu), ..
        } = e
        {
            pid_vcpu.entry(r.pid).or_insert(*vcpu);
            vcpu_pids.entry(*vcpu).or_default().insert(r.pid);
        }
    }
    for (v, pids) in &vcpu_pids {
        if pids.len() > 1 {
            a.notes.push(format!(
                "vCPU id {v} is run by {} tasks ({}): several VMs in one trace? Events that name only a vCPU id (GA log, doorbell, IRTE update) cannot tell them apart.",
                pids.len(),
                pids.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if opts.apic_of_cpu.is_empty() && events.iter().any(|(_, e)| matches!(e, Ev::Doorbell { .. })) {
        a.notes.push("doorbell APIC IDs are compared with CPU numbers as if APIC ID == CPU number; pass --cpuinfo with the host's /proc/cpuinfo for the real mapping".into());
    }
    let apic = |cpu: u32| {
        opts.apic_of_cpu
            .get(&cpu)
            .copied()
            .unwrap_or(if opts.apic_of_cpu.is_empty() {
                cpu
            } else {
                u32::MAX
            })
    };
    let mut st: BTreeMap<u32, State> = BTreeMap::new();
    let mut last_ts = 0;
    for (r, e) in events {
        last_ts = r.ts_ns;
        let mark = |a: &mut Analysis, v: u32, what: String| {
            let t = a.timelines.entry(v).or_default();
            t.marks.push(Mark {
                ts_ns: r.ts_ns,
                line: r.line,
                what,
            });
        };
        match e {
            Ev::Entry { vcpu } => {
                let s = st.entry(*vcpu).or_default();
                let t = a.timelines.entry(*vcpu).or_default();
                t.entries += 1;
                t.pids.insert(r.pid);
                t.cpus.insert(r.cpu);
                if s.last_entry_cpu.is_some_and(|c| c != r.cpu) {
                    t.migrations += 1;
                }
                if let Some((t0, line0)) = s.galog_wait.take() {
                    let waited = r.ts_ns.saturating_sub(t0);
                    if waited > opts.wake_threshold_ns {
                        a.findings.push(Finding {
                            kind: "near-lost-wakeup",
                            severity: "latency",
                            vcpu: *vcpu,
                            ts_ns: t0,
                            line: line0,
                            message: format!(
                                "vCPU{vcpu} got a GA-log wake-up at {} (line {line0}) but entered the guest again only {} later at {} (line {}): a wake-up that nearly got lost",
                                ts(t0),
                                us(waited),
                                ts(r.ts_ns),
                                r.line
                            ),
                        });
                    }
                }
                s.in_guest = Some((r.ts_ns, r.line, r.cpu));
                s.last_entry_cpu = Some(r.cpu);
                s.sched = Sched::Running;
                mark(&mut a, *vcpu, format!("VM entry on CPU {}", r.cpu));
            }
            Ev::Exit { vcpu, reason } => {
                let Some(vcpu) = vcpu.or_else(|| pid_vcpu.get(&r.pid).copied()) else {
                    continue;
                };
                let vcpu = &vcpu;
                let s = st.entry(*vcpu).or_default();
                s.in_guest = None;
                a.timelines.entry(*vcpu).or_default().exits += 1;
                mark(
                    &mut a,
                    *vcpu,
                    format!("VM exit ({reason}) on CPU {}", r.cpu),
                );
            }
            Ev::SchedSwitch {
                prev_pid,
                prev_state,
                next_pid,
                ..
            } => {
                if let Some(&v) = pid_vcpu.get(prev_pid) {
                    let s = st.entry(v).or_default();
                    let t = a.timelines.entry(v).or_default();
                    s.in_guest = None;
                    if prev_state.starts_with('R') {
                        s.sched = Sched::Preempted;
                        t.preemptions += 1;
                        mark(&mut a, v, format!("switched out runnable on CPU {}", r.cpu));
                    } else {
                        s.sched = Sched::Blocked;
                        t.blocks += 1;
                        mark(
                            &mut a,
                            v,
                            format!("switched out sleeping ({prev_state}) on CPU {}", r.cpu),
                        );
                    }
                }
                if let Some(&v) = pid_vcpu.get(next_pid) {
                    st.entry(v).or_default().sched = Sched::Running;
                    mark(&mut a, v, format!("switched in on CPU {}", r.cpu));
                }
            }
            Ev::PiIrteUpdate {
                set,
                irq,
                vcpu: Some(v),
                gvec,
                ..
            } => {
                a.timelines.entry(*v).or_default().irte_updates += 1;
                let s = st.entry(*v).or_default().clone();
                mark(
                    &mut a,
                    *v,
                    format!(
                        "IRTE for irq {irq} {}",
                        if *set {
                            "posted to it"
                        } else {
                            "back to remapped"
                        }
                    ),
                );
                if *set && matches!(s.sched, Sched::Preempted | Sched::Blocked) {
                    a.findings.push(Finding {
                        kind: "irte-update-while-out",
                        severity: "risk-window",
                        vcpu: *v,
                        ts_ns: r.ts_ns,
                        line: r.line,
                        message: format!(
                            "irq {irq}{} was posted to vCPU{v} while it was scheduled out ({}): the window where the unmerged 2023 patch wrote IsRun=1 with a stale destination (lost wake-up); correct kernels must leave IsRun=0 here",
                            gvec.map(|g| format!(" (gvec {g:#x})")).unwrap_or_default(),
                            if s.sched == Sched::Blocked { "blocked" } else { "preempted" }
                        ),
                    });
                }
            }
            Ev::PiIrteUpdate { vcpu: None, .. } => {}
            Ev::GaLog { vcpu, .. } => {
                a.timelines.entry(*vcpu).or_default().ga_log += 1;
                let s = st.entry(*vcpu).or_default();
                if let Some((t0, l0, cpu)) = s.in_guest {
                    a.findings.push(Finding {
                        kind: "delayed-delivery",
                        severity: "latency",
                        vcpu: *vcpu,
                        ts_ns: r.ts_ns,
                        line: r.line,
                        message: format!(
                            "GA-log wake-up for vCPU{vcpu}, which has been in the guest on CPU {cpu} since {} (line {l0}): its interrupt took the slow GA-log path (IRTE IsRun=0 for a running vCPU) and waits for the next VM entry",
                            ts(t0)
                        ),
                    });
                } else if s.galog_wait.is_none() {
                    s.galog_wait = Some((r.ts_ns, r.line));
                }
                mark(&mut a, *vcpu, "GA-log wake-up".into());
            }
            Ev::Doorbell { vcpu, apicid } => {
                a.timelines.entry(*vcpu).or_default().doorbells += 1;
                let s = st.entry(*vcpu).or_default().clone();
                mark(&mut a, *vcpu, format!("KVM doorbell to APIC {apicid}"));
                if let Some(c) = s.last_entry_cpu {
                    if apic(c) != *apicid {
                        a.findings.push(Finding {
                            kind: "wrong-doorbell",
                            severity: "latency",
                            vcpu: *vcpu,
                            ts_ns: r.ts_ns,
                            line: r.line,
                            message: format!(
                                "doorbell for vCPU{vcpu} went to APIC {apicid}, but it last entered the guest on CPU {c} (APIC {}): the interrupt waits for its next VM entry",
                                if apic(c) == u32::MAX { "unknown".to_string() } else { apic(c).to_string() }
                            ),
                        });
                    }
                }
            }
            Ev::IncompleteIpi { vcpu, id, index } => {
                a.timelines.entry(*vcpu).or_default().incomplete_ipis += 1;
                mark(
                    &mut a,
                    *vcpu,
                    format!("incomplete IPI (cause {id}) to table index {index}"),
                );
            }
            Ev::KickSlowpath { .. } | Ev::VcpuWakeup { .. } | Ev::SchedWakeup { .. } => {}
        }
    }
    // GA-log wake-ups never followed by a VM entry.
    for (v, s) in &st {
        if let Some((t0, l0)) = s.galog_wait {
            let left = last_ts.saturating_sub(t0);
            if left > opts.wake_threshold_ns {
                a.findings.push(Finding {
                    kind: "no-entry-after-ga-log",
                    severity: "hang-risk",
                    vcpu: *v,
                    ts_ns: t0,
                    line: l0,
                    message: format!(
                        "vCPU{v} got a GA-log wake-up at {} (line {l0}) and did not enter the guest in the remaining {} of the trace: a lost wake-up, or the trace ended",
                        ts(t0),
                        us(left)
                    ),
                });
            }
        }
    }
    if !events.iter().any(|(_, e)| matches!(e, Ev::Entry { .. })) {
        a.notes.push(
            "no kvm_entry events: vCPU positions are unknown, so only a few checks could run"
                .into(),
        );
    }
    if !events
        .iter()
        .any(|(_, e)| matches!(e, Ev::SchedSwitch { .. }))
    {
        a.notes
            .push("no sched_switch events: whether a vCPU was scheduled out is unknown".into());
    }
    a.findings.sort_by_key(|f| (f.ts_ns, f.line));
    a
}

/// Host CPU → APIC ID from /proc/cpuinfo text (`processor` and `apicid` lines).
pub fn apic_map(cpuinfo: &str) -> BTreeMap<u32, u32> {
    let mut map = BTreeMap::new();
    let mut cpu = None;
    for line in cpuinfo.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        match k.trim() {
            "processor" => cpu = v.trim().parse().ok(),
            "apicid" => {
                if let (Some(c), Ok(a)) = (cpu, v.trim().parse()) {
                    map.insert(c, a);
                }
            }
            _ => {}
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::super::parse::{decode, parse_line, LineKind};
    use super::*;

    fn run(text: &str) -> Analysis {
        let evs: Vec<(Record, Ev)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| match parse_line(i + 1, l) {
                LineKind::Event(r) => decode(&r).ok().flatten().map(|e| (r, e)),
                _ => None,
            })
            .collect();
        analyze(
            &evs,
            &Options {
                wake_threshold_ns: 1_000_000,
                apic_of_cpu: BTreeMap::new(),
            },
        )
    }

    #[test]
    fn ga_log_for_a_running_vcpu_is_delayed_delivery() {
        let a = run("v-10 [001] 1.000000: kvm_entry: vcpu 0, rip 0x0\ni-0 [000] 1.000100: kvm_avic_ga_log: vmid=1, vcpuid=0\n");
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.findings[0].kind, "delayed-delivery");
        assert_eq!(a.findings[0].line, 2);
    }

    #[test]
    fn slow_and_missing_wakeups() {
        let a = run(
            "v-10 [001] 1.000000: kvm_entry: vcpu 0, rip 0x0\n\
             v-10 [001] 1.000010: kvm_exit: vcpu 0 reason hlt rip 0x0\n\
             v-10 [001] 1.000020: sched_switch: prev_comm=v prev_pid=10 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n\
             i-0 [000] 1.000100: kvm_avic_ga_log: vmid=1, vcpuid=0\n\
             v-10 [001] 1.005000: kvm_entry: vcpu 0, rip 0x0\n\
             w-11 [000] 1.006000: kvm_entry: vcpu 1, rip 0x0\n\
             w-11 [000] 1.006010: sched_switch: prev_comm=w prev_pid=11 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n\
             i-0 [000] 1.006100: kvm_avic_ga_log: vmid=1, vcpuid=1\n\
             x-1 [000] 1.100000: kvm_exit: vcpu 0 reason hlt rip 0x0\n",
        );
        let kinds: Vec<&str> = a.findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec!["near-lost-wakeup", "no-entry-after-ga-log"]);
        assert_eq!(a.timelines[&0].blocks, 1);
    }

    #[test]
    fn irte_update_while_out_and_wrong_doorbell() {
        let a = run(
            "v-10 [001] 1.0: kvm_entry: vcpu 0, rip 0x0\n\
             v-10 [001] 1.1: sched_switch: prev_comm=v prev_pid=10 prev_prio=120 prev_state=R+ ==> next_comm=x next_pid=99 next_prio=120\n\
             q-5 [000] 1.2: kvm_pi_irte_update: PI is enabled and being updated for irq 30, vcpu 0, gsi: 0x1e, gvec: 0x22\n\
             v-10 [000] 1.3: kvm_entry: vcpu 0, rip 0x0\n\
             q-5 [001] 1.4: kvm_avic_doorbell: vcpuid=0, apicid=1\n",
        );
        let kinds: Vec<&str> = a.findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec!["irte-update-while-out", "wrong-doorbell"]);
        assert_eq!(a.timelines[&0].migrations, 1);
        assert!(a.notes.iter().any(|n| n.contains("APIC ID == CPU")));
    }

    #[test]
    fn apic_ids_from_cpuinfo() {
        let m = apic_map("processor\t: 0\napicid\t\t: 0\n\nprocessor\t: 1\napicid\t\t: 2\n\nprocessor : x\napicid : 9\n");
        assert_eq!(m.get(&1), Some(&2));
        assert_eq!(m.len(), 2);
    }
}
