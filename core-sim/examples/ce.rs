use core_sim::explore::{check, CheckOptions, Session};
use core_sim::timeline::Timeline;
use core_sim::{Sim, ViolationKind};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let sim = Sim::from_ids(&a[1], &a[2], &a[3]).unwrap();
    let r = check(&sim, &CheckOptions::default(), &mut |_| true);
    let k = ViolationKind::from_id(&a[4]).unwrap();
    let c = r.counterexample(k).unwrap();
    let s = Session::replay(&sim, &c.schedule.to_string()).unwrap();
    println!("{}", c.schedule);
    print!("{}", Timeline::from_session(&s).to_text());
}
