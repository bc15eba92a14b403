//! Print the comparison key of each argument (or stdin line): a quick look
//! at how a spelling normalizes. `keys "Mohammed Ali" "محمد علي"`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for a in args {
        let parts = hudna_names::name_parts(&a);
        let shown: Vec<String> = parts
            .iter()
            .map(|p| format!("{}/{}/{}", p.text, p.skel, p.vowels))
            .collect();
        println!(
            "{a:30} => {:20} {}",
            hudna_names::comparison_key(&a),
            shown.join(" ")
        );
    }
}
