//! `idv-sandbox [--port N] [--www DIR] [--pkg DIR] [--session-ttl DURATION]`: serves the demo and
//! the API emulator on 127.0.0.1.
//!
//! `--port 0` picks a free port; the first line on stdout, `listening on http://127.0.0.1:N`, names it.
//! Environment: `PORT`, `SANDBOX_CLIENT_ID`, `SANDBOX_CLIENT_SECRET`, `SANDBOX_SESSION_TTL`; flags win.

use std::io::Write;
use std::process::ExitCode;

use idv_sandbox::{app, parse_duration, Config};

fn usage() -> ExitCode {
    eprintln!(
        "usage: idv-sandbox [--port N] [--www DIR] [--pkg DIR] [--session-ttl DURATION]\n\
         env: PORT, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_SESSION_TTL (e.g. 10m, 1h30m)"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("idv-sandbox: {e}");
            return usage();
        }
    };
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
            "--session-ttl" => match parse_duration(&value) {
                Ok(ttl) => config.session_ttl = ttl,
                Err(e) => {
                    eprintln!("idv-sandbox: --session-ttl: {e}");
                    return usage();
                }
            },
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
    // Test harnesses stop the sandbox with SIGTERM, a terminal with Ctrl-C: both end it cleanly.
    let shutdown = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
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
