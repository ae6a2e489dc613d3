//! Headless Chromium for the tests that look at pages as a visitor would:
//! started with its own profile, driven over the DevTools protocol, ended
//! with its whole process group.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::{chromium, get, until, DEADLINE};

/// Headless Chromium driven over the DevTools protocol; the whole process
/// group is ended when dropped.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    devtools: u16,
}

impl Browser {
    /// Starts Chromium showing `url`.
    pub fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut command = chromium(profile.path());
        command
            .arg("--remote-debugging-port=0")
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("headless Chromium (Debian's `chromium` package; .ci/run installs it)");
        let port_file = profile.path().join("DevToolsActivePort");
        let devtools = until("Chromium's DevTools port", || {
            std::fs::read_to_string(&port_file).ok()?.lines().next()?.trim().parse().ok()
        });
        Browser { child, _profile: profile, devtools }
    }

    /// The DevTools connection of the first page showing a URL that starts with `url`.
    pub fn page(&self, url: &str) -> Page {
        let ws = until("the page in Chromium", || {
            let list: Value = serde_json::from_str(&get(self.devtools, "/json/list", &[]).body).ok()?;
            list.as_array()?
                .iter()
                .find(|t| t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url)))
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(String::from))
        });
        let stream = TcpStream::connect(("127.0.0.1", self.devtools)).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let (socket, _) = tungstenite::client(ws.as_str(), stream).expect("a DevTools connection");
        Page { socket, next_id: 0 }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page of the browser.
pub struct Page {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Page {
    /// Evaluates `expression` in the page; `None` while the page is between documents.
    pub fn eval(&mut self, expression: &str) -> Option<Value> {
        let params = serde_json::json!({ "expression": expression, "returnByValue": true });
        self.call("Runtime.evaluate", params)["result"]["value"].clone().into()
    }

    /// Polls `expression` until `check` accepts its value.
    pub fn until(&mut self, what: &str, expression: &str, check: impl Fn(&Value) -> bool) -> Value {
        until(what, || self.eval(expression).filter(|v| check(v)))
    }

    /// Calls DevTools' `method`; its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let call = serde_json::json!({ "id": id, "method": method, "params": params });
        self.socket.send(tungstenite::Message::text(call.to_string())).unwrap();
        loop {
            let message = self.socket.read().expect("DevTools answers");
            let Ok(text) = message.to_text() else { continue };
            let answer: Value = serde_json::from_str(text).unwrap();
            if answer["id"] == id {
                return answer["result"].clone();
            }
        }
    }

    /// Shows the page as a screen `width` CSS pixels wide would (a phone's,
    /// narrower than a headless window can be), and loads it again.
    pub fn emulate_width(&mut self, width: u32, height: u32) {
        let metrics =
            serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800 });
        self.call("Emulation.setDeviceMetricsOverride", metrics);
        self.call("Page.reload", serde_json::json!({}));
    }

    /// A screenshot of the page as it is, PNG bytes.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let shot = self.call("Page.captureScreenshot", serde_json::json!({ "format": "png" }));
        base64_decode(shot["data"].as_str().expect("a screenshot"))
    }

    /// Loads `url` and waits until the document, its fonts and its images
    /// (those not left to load lazily) are ready.
    pub fn load(&mut self, url: &str) {
        self.eval("window.__waxseal_left = true");
        self.call("Page.navigate", serde_json::json!({ "url": url }));
        let ready = "window.__waxseal_left !== true && document.readyState === 'complete' \
             && document.fonts.status === 'loaded' \
             && Array.from(document.images).every(i => i.loading === 'lazy' || i.complete)";
        self.until(&format!("{url} to load"), ready, |v| v == &Value::Bool(true));
    }

    /// Shows pages as a `width` x `height` CSS pixel screen would (without
    /// loading them again).
    pub fn set_viewport(&mut self, width: u32, height: u32) {
        let metrics = serde_json::json!({
            "width": width, "height": height, "screenWidth": width, "screenHeight": height,
            "deviceScaleFactor": 1, "mobile": width < 800,
        });
        self.call("Emulation.setDeviceMetricsOverride", metrics);
        // Not `innerWidth`: a phone's browser widens it to a page that is too wide.
        self.until("the emulated screen", "screen.width", |v| v.as_u64() == Some(u64::from(width)));
    }

    /// Emulates the visitor's colour scheme: `light` or `dark`.
    pub fn emulate_color_scheme(&mut self, scheme: &str) {
        let features = serde_json::json!([{ "name": "prefers-color-scheme", "value": scheme }]);
        self.call("Emulation.setEmulatedMedia", serde_json::json!({ "features": features }));
        let query = format!("matchMedia('(prefers-color-scheme: {scheme})').matches");
        self.until(&format!("the {scheme} colour scheme"), &query, |v| v == &Value::Bool(true));
    }

    /// Presses and releases a key, as a keyboard does (`Tab`: the next focusable element).
    pub fn press(&mut self, key: &str, code: u32) {
        for kind in ["rawKeyDown", "keyUp"] {
            let event = serde_json::json!({
                "type": kind, "key": key, "code": key,
                "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code,
            });
            self.call("Input.dispatchKeyEvent", event);
        }
    }

    /// A screenshot of the whole page at `width` CSS pixels, PNG bytes: the
    /// viewport is made as tall as the page, so lazy images load too.
    pub fn full_screenshot(&mut self, width: u32) -> Vec<u8> {
        self.set_viewport(width, 900);
        let height = self.eval("document.documentElement.scrollHeight").and_then(|v| v.as_u64()).unwrap_or(900);
        let height = u32::try_from(height).unwrap_or(900).clamp(600, 8000);
        self.set_viewport(width, height);
        let loaded = "Array.from(document.images).every(i => i.complete) && document.fonts.status === 'loaded'";
        self.until("every image", loaded, |v| v == &Value::Bool(true));
        let shot = self.screenshot();
        self.set_viewport(width, 900);
        shot
    }

    /// The text the page shows.
    pub fn text(&mut self) -> String {
        self.eval("document.body ? document.body.innerText : ''")
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

/// Decodes standard base64 (what DevTools sends screenshots as).
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    bytes
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, &v)| n | u32::from(v) << (18 - 6 * i));
            n.to_be_bytes()[1..chunk.len()].to_vec()
        })
        .collect()
}
