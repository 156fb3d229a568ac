//! CSV for spreadsheets: every cell goes through the formula guard, whatever column it is in
//! (an email like `=2+5@vendor.test` is as much a formula as a name).

use std::io::Write;

/// A cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (the characters OWASP lists for CSV injection) gets a leading apostrophe, which
/// spreadsheets read as "this is text" and do not show.
pub fn guarded(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A CSV writer whose every cell is guarded.
pub struct Sheet<W: Write>(csv::Writer<W>);

impl<W: Write> Sheet<W> {
    pub fn new(out: W, header: &[&str]) -> anyhow::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(header)?;
        Ok(Self(writer))
    }

    pub fn row<I, S>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| guarded(c.as_ref()).into_owned())
            .collect();
        self.0.write_record(&cells)?;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.0.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_that_a_spreadsheet_would_run_is_defused() {
        assert_eq!(guarded("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guarded("+1"), "'+1");
        assert_eq!(guarded("@SUM"), "'@SUM");
        assert_eq!(guarded("=2+5@vendor.test"), "'=2+5@vendor.test");
        assert_eq!(guarded("Grace Hopper"), "Grace Hopper");
        let mut out = Vec::new();
        let mut sheet = Sheet::new(&mut out, &["email", "name"]).unwrap();
        sheet.row(["=2+5@vendor.test", "-Ann"]).unwrap();
        sheet.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "email,name\n'=2+5@vendor.test,'-Ann\n"
        );
    }
}
