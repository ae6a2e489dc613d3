//! The HTTP side of `serve`: the output folder as static files, the
//! live-reload event stream, and the script (and error overlay) added to
//! every HTML response on its way out.
//!
//! A request naming another server in its `Host` header is refused first
//! ([`super::host`]), the event stream's too. Only files under the output
//! folder are served: a path with `..` (plain or percent-encoded), a hidden
//! file, a symlink that leads out of the folder, a name longer than a file
//! name can be, or a path starting with `//` (which a redirect would turn
//! into a link to another site) is not found. Responses are never cached by the browser, so a
//! reload always shows the files of the last rebuild. Files on disk are
//! only read.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::{broadcast, watch};
use tower_http::services::ServeDir;

use super::live::{Live, Update};
use super::{host, overlay};

/// Where the browser listens for rebuilds.
pub const EVENTS_PATH: &str = "/__waxseal/events";

/// Served pages are read whole to add the script; larger files are not pages.
const MAX_PAGE: usize = 64 << 20;

/// What the server needs.
pub struct App {
    /// The output folder.
    pub output: PathBuf,
    /// The reload channel.
    pub live: Arc<Live>,
    /// Becomes true when the server stops: open event streams end.
    pub stopping: watch::Receiver<bool>,
    /// The address and port listened on: the `Host` a request may name.
    pub served: SocketAddr,
}

/// The longest file name most file systems take (bytes): a longer part of a
/// URL path names no file.
const MAX_NAME: usize = 255;

/// The routes: the event stream, and the output folder for everything else.
pub fn router(app: Arc<App>) -> Router {
    let files = ServeDir::new(&app.output).append_index_html_on_directories(true);
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(middleware::from_fn_with_state(app.clone(), check_host))
        .with_state(app)
}

/// Refuses (400) a request whose `Host` header, or absolute URL, names
/// another server than this one: see [`super::host`]. Two `Host` headers
/// are refused too; none is answered.
async fn check_host(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (first, second) = (hosts.next(), hosts.next());
    let named_ok =
        second.is_none() && first.is_none_or(|value| value.to_str().is_ok_and(|name| host::allowed(name, app.served)));
    let url_ok = request.uri().authority().is_none_or(|authority| host::allowed(authority.as_str(), app.served));
    if named_ok && url_ok {
        return next.run(request).await;
    }
    let body = "Bad Request: waxseal serve answers only to localhost and the address it listens on\n";
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
    (StatusCode::BAD_REQUEST, headers, body).into_response()
}

/// Keeps requests inside the output folder, makes every response uncached,
/// gives missing files a live page, and adds the script to HTML pages.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path == EVENTS_PATH {
        return next.run(request).await;
    }
    let head = request.method() == Method::HEAD;
    let mut response =
        if inside(&app.output, &path) { next.run(request).await } else { StatusCode::NOT_FOUND.into_response() };
    if response.status() == StatusCode::NOT_FOUND {
        let page = live_page(&app, &overlay::not_found(&path));
        response = (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    } else if response.status() == StatusCode::OK && is_html(&response) && !head {
        response = add_script(&app, response).await;
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// True when `url_path` names something inside `output`: no `..` or hidden
/// part (decoded), and no symlink on the way that leads out.
pub fn inside(output: &Path, url_path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(url_path).decode_utf8() else {
        return false;
    };
    if decoded.contains(['\\', '\0']) || decoded.split('/').any(|part| part.starts_with('.') || part.len() > MAX_NAME) {
        return false;
    }
    // `//host/x` is a URL of another site to a browser: the redirect that
    // adds a folder's `/` must never be made to one.
    if url_path.starts_with("//") || decoded.starts_with("//") {
        return false;
    }
    let Ok(root) = output.canonicalize() else {
        return false;
    };
    let path = root.join(decoded.trim_start_matches('/'));
    let mut targets = vec![path.clone()];
    if path.is_dir() {
        targets.push(path.join("index.html"));
    }
    // A missing file is inside (and not found); an existing one must resolve inside.
    targets.iter().all(|p| !p.exists() || p.canonicalize().is_ok_and(|real| real.starts_with(&root)))
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// `page` with the script and the current overlay.
fn live_page(app: &App, page: &str) -> String {
    let (gen, overlay) = app.live.current();
    overlay::inject(page, app.live.run(), gen, overlay.as_deref())
}

async fn add_script(app: &App, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = live_page(app, &String::from_utf8_lossy(&bytes));
    for name in [header::CONTENT_LENGTH, header::ETAG, header::LAST_MODIFIED, header::ACCEPT_RANGES] {
        parts.headers.remove(name);
    }
    Response::from_parts(parts, Body::from(page))
}

/// The event stream: `hello` (this run's id), then a `build` event (JSON,
/// with the generation as its id) for each rebuild newer than the page.
async fn events(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    // A reconnecting EventSource says the last generation it got.
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let since = query.get("since").and_then(|v| v.parse::<u64>().ok()).max(last_id);
    let sub = app.live.subscribe(query.get("run").map(String::as_str), since);
    let first = std::iter::once(Event::default().event("hello").data(sub.hello))
        .chain(sub.missed.iter().map(|u| build_event(u)))
        .map(Ok::<_, std::convert::Infallible>)
        .collect::<Vec<_>>();
    let state = (sub.next, app.stopping.clone(), app.live.clone());
    let rest = futures_util::stream::unfold(state, |(mut next, mut stopping, live)| async move {
        let update = tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => return None,
            update = next.recv() => match update {
                Ok(update) => update,
                // Too slow to keep up: reload rather than miss a change.
                Err(broadcast::error::RecvError::Lagged(_)) => live.resync(),
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        Some((Ok(build_event(&update)), (next, stopping, live)))
    });
    Sse::new(futures_util::StreamExt::chain(futures_util::stream::iter(first), rest)).keep_alive(KeepAlive::default())
}

fn build_event(update: &Update) -> Event {
    Event::default().event("build").id(update.gen.to_string()).data(update.json.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_output_folder_are_served() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(out.join("cards/a")).unwrap();
        std::fs::write(out.join("cards/a/index.html"), "<p>a</p>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        assert!(inside(&out, "/"));
        assert!(inside(&out, "/cards/a/"));
        assert!(inside(&out, "/cards/a/index.html"));
        assert!(inside(&out, "/cards/missing/"), "missing: served as not found");
        for bad in ["/../secret.txt", "/cards/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2fsecret.txt"] {
            assert!(!inside(&out, bad), "{bad}");
        }
        assert!(!inside(&out, "/.git/config"), "hidden files");
        assert!(!inside(&out, "/cards/..%5c..%5csecret.txt"), "backslashes");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), out.join("up")).unwrap();
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("cards/a/s.txt")).unwrap();
            std::os::unix::fs::symlink(out.join("cards/a/index.html"), out.join("same.html")).unwrap();
            assert!(!inside(&out, "/up/secret.txt"));
            assert!(!inside(&out, "/cards/a/s.txt"));
            assert!(inside(&out, "/same.html"), "a link that stays inside is fine");
        }
    }
}
