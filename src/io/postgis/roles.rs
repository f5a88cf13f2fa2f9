//! `wangge db grant`: what a database account may do in a project, enforced by PostgreSQL itself
//! (privileges and the row-level security policies made by `db init`), so that hand-written SQL through
//! the account's own connection can do no more than Wangge would.

use super::url::is_plain_identifier;
use super::{Db, DbError};

/// What an account may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read everything, change nothing (printing, the county platform).
    ReadOnly,
    /// Read everything, write the grids, households and reference features of this township (9-digit
    /// code): grids by their village code, households and features by where they lie.
    Township(String),
    /// Read and write everything: every grid, household and reference feature, and alone the name,
    /// boundary, divisions, the list of reference layers and the settings (the code rule).
    County,
}

impl Db {
    /// Gives the existing database role `role` the access `access` to this project (replacing what it
    /// had). The role itself, its login and password are the database administrator's to make.
    pub fn grant(&mut self, role: &str, access: &Access) -> Result<(), DbError> {
        self.check_writable()?;
        if !is_plain_identifier(role) {
            return Err(DbError::BadRole(role.to_string()));
        }
        if let Access::Township(code) = access
            && !(code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(DbError::BadTownship(code.clone()));
        }
        let s = self.url.schema.clone();
        let mut tx = self.client.transaction()?;
        tx.batch_execute(&format!(
            "REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {role};
             REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {role};
             GRANT USAGE ON SCHEMA {s} TO {role};
             GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {role};
             GRANT SELECT ON SEQUENCE {s}.grid_ids TO {role};"
        ))?;
        tx.execute("DELETE FROM accounts WHERE role = $1", &[&role])?;
        let (township, county) = match access {
            Access::ReadOnly => (None, false),
            Access::Township(code) => (Some(code.clone()), false),
            Access::County => (None, true),
        };
        if *access != Access::ReadOnly {
            // Row-level security bounds these to the account's township: grids by village code,
            // households and reference features by place (`may_write`, `may_write_at`).
            tx.batch_execute(&format!(
                "GRANT INSERT, UPDATE, DELETE ON {s}.grids, {s}.households, {s}.reference_features TO {role};
                 GRANT USAGE ON SEQUENCE {s}.grid_ids, {s}.households_id_seq TO {role};
                 GRANT INSERT ON {s}.saves TO {role};"
            ))?;
        }
        if *access == Access::County {
            // The county alone writes the rest of the project: its boundary, divisions, households,
            // reference layers and settings (the code rule among them). Never the history or the accounts.
            tx.batch_execute(&format!(
                "GRANT INSERT, UPDATE, DELETE ON {s}.project, {s}.boundary, {s}.divisions, {s}.households,
                     {s}.reference_layers, {s}.reference_features TO {role};
                 GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {role};"
            ))?;
        }
        if *access != Access::ReadOnly {
            tx.execute(
                "INSERT INTO accounts (role, township, county) VALUES ($1, $2, $3)",
                &[&role, &township, &county],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
