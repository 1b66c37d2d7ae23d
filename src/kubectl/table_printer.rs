// STUB (replaced by the tables helper's file)
use crate::sim::api::table::Table;
pub struct PrintOptions {
    pub wide: bool,
    pub no_headers: bool,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub with_namespace: bool,
    pub with_kind: bool,
    pub kind_prefix: String,
}
pub fn print_table(t: &Table, _o: &PrintOptions) -> String {
    t.rows.iter().map(|r| r.join(" ") + "\n").collect()
}
