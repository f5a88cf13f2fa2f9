//! A throwaway PostgreSQL 15 + PostGIS cluster for the tests of database projects (issue 16): made with
//! the server's own `initdb` in a temporary folder, listening on 127.0.0.1 only, on a free port, with a
//! database `wangge` that has the `postgis` extension; stopped and removed when dropped.
//!
//! `let Some(pg) = pg::Cluster::start() else { return };` — under `CI=true` a missing PostgreSQL fails
//! the test (`.ci/run` installs `postgresql-15 postgresql-15-postgis-3`); elsewhere the test is skipped
//! with a message. When the tests run as root (containers), the server runs as the OS user `postgres`
//! (initdb refuses root).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Cluster {
    /// Holds the data folder (and the socket): removed after the server stops.
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
    /// The server's options (port, address, socket folder), for a restart.
    options: String,
}

impl Cluster {
    /// A running cluster, or None (after saying why) when PostgreSQL 15 with PostGIS is not installed
    /// outside CI. Panics under CI when it is missing, and anywhere when it is installed but fails.
    pub fn start() -> Option<Cluster> {
        let postgis = Path::new("/usr/share/postgresql/15/extension/postgis.control");
        if !(Path::new(BIN).join("initdb").exists() && postgis.exists()) {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL 15 with PostGIS is missing in CI: .ci/run must install postgresql-15 postgresql-15-postgis-3"
            );
            eprintln!(
                "skipping: PostgreSQL 15 with PostGIS is not installed (apt-get install postgresql-15 postgresql-15-postgis-3)"
            );
            return None;
        }
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("wangge-pg-").tempdir().expect("temp dir");
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()), "chown");
        }
        let data = dir.path().join("data");
        let mut cluster = Cluster { dir, port: 0, as_postgres, options: String::new() };
        let initdb = cluster
            .server_command("initdb")
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .expect("run initdb");
        check(&initdb, "initdb");
        // A free port now; another program may take it before the server does, so try a few.
        for attempt in 0..5 {
            cluster.port = free_port();
            let options = format!(
                "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off -c full_page_writes=off",
                cluster.port,
                cluster.dir.path().display()
            );
            cluster.options = options.clone();
            let log = cluster.dir.path().join("server.log");
            let started = cluster
                .server_command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &options])
                .output()
                .expect("run pg_ctl start");
            if started.status.success() {
                break;
            }
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(attempt < 4 && server_log.contains("could not bind"), "pg_ctl start failed: {server_log}");
        }
        cluster.wait_ready();
        let mut admin = cluster.client("postgres");
        admin.batch_execute("CREATE DATABASE wangge").expect("create database");
        drop(admin);
        let mut db = cluster.client("wangge");
        db.batch_execute("CREATE EXTENSION postgis").expect("create extension postgis");
        Some(cluster)
    }

    /// The project URL of `schema` in the database `wangge`, as the superuser.
    pub fn url(&self, schema: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/wangge?schema={schema}", self.port)
    }

    /// The URL of `schema` as another role (made with [`Cluster::client`]'s SQL).
    pub fn url_as(&self, user: &str, schema: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/wangge?schema={schema}", self.port)
    }

    /// A connection to `database` as the superuser, over TCP on 127.0.0.1.
    pub fn client(&self, database: &str) -> postgres::Client {
        self.client_as("postgres", database)
    }

    pub fn client_as(&self, user: &str, database: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(user)
            .dbname(database)
            .connect(postgres::NoTls)
            .expect("connect to the test cluster")
    }

    /// Makes `user` (a new login role, superuser) log in with `password` only: the server asks for it
    /// (scram-sha-256) while every other role still logs in without one.
    pub fn require_password(&self, user: &str, password: &str) {
        self.client("postgres")
            .batch_execute(&format!(
                "SET password_encryption = 'scram-sha-256'; CREATE ROLE {user} LOGIN SUPERUSER PASSWORD '{password}'"
            ))
            .expect("create the role");
        let hba = self.dir.path().join("data").join("pg_hba.conf");
        let rules = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
        std::fs::write(&hba, format!("host all {user} 127.0.0.1/32 scram-sha-256\n{rules}"))
            .expect("write pg_hba.conf");
        let data = self.dir.path().join("data");
        let reload =
            self.server_command("pg_ctl").args(["reload", "-D"]).arg(&data).output().expect("run pg_ctl reload");
        check(&reload, "pg_ctl reload");
        // The reload is signalled; wait until a login without the password is refused.
        let started = Instant::now();
        while postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(user)
            .dbname("wangge")
            .connect(postgres::NoTls)
            .is_ok()
        {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start asking for the password");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`: every connection cut, no
    /// checkpoint); [`Cluster::restart`] brings it back through crash recovery.
    pub fn crash(&self) {
        let data = self.dir.path().join("data");
        run(self.server_command("pg_ctl").args(["stop", "-m", "immediate", "-w", "-D"]).arg(&data), "pg_ctl stop");
    }

    /// Starts the server again on the same port after [`Cluster::crash`].
    pub fn restart(&self) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("server.log");
        run(
            self.server_command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &self.options]),
            "pg_ctl start",
        );
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            let ready = postgres::Config::new()
                .host("127.0.0.1")
                .port(self.port)
                .user("postgres")
                .dbname("postgres")
                .connect_timeout(Duration::from_secs(2))
                .connect(postgres::NoTls)
                .is_ok();
            if ready {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the test cluster did not accept connections");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A server program, run as `postgres` when we are root.
    fn server_command(&self, program: &str) -> Command {
        let path: PathBuf = Path::new(BIN).join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        // A working folder the server's user may enter (the test's may be closed to it).
        c.current_dir(self.dir.path());
        c
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self.server_command("pg_ctl").args(["stop", "-m", "immediate", "-w", "-D"]).arg(&data).output();
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    check(&output, what);
}

fn check(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
