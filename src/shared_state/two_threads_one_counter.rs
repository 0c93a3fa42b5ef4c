// Two threads add to one plain counter: in Python, a race; in Rust, refused.
fn main() {
    let mut count: u64 = 0;
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..1_000 {
                count += 1;
            }
        });
        s.spawn(|| {
            for _ in 0..1_000 {
                count += 1;
            }
        });
    });
    println!("{count}");
}
