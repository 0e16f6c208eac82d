//! `idv-sandbox [--port N] [--www DIR] [--pkg DIR]`: serves the demo and the API emulator on 127.0.0.1.
//!
//! `--port 0` picks a free port; the first line on stdout, `listening on http://127.0.0.1:N`, names it.

use std::io::Write;
use std::process::ExitCode;

use idv_sandbox::{app, Config};

fn usage() -> ExitCode {
    eprintln!(
        "usage: idv-sandbox [--port N] [--www DIR] [--pkg DIR]   (PORT env var also sets the port)"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = Config::default();
    let mut port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            return usage();
        };
        match flag.as_str() {
            "--port" => match value.parse() {
                Ok(p) => port = p,
                Err(_) => return usage(),
            },
            "--www" => config.www_dir = value.into(),
            "--pkg" => config.pkg_dir = value.into(),
            _ => return usage(),
        }
    }
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("idv-sandbox: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("idv-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, app(&config))
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idv-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
