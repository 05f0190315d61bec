fn main() { println!("avic-lab: under construction"); }
