//! The test harness: a site in a temporary folder, the real `waxseal` binary
//! run on it, and helpers to look at what it wrote.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A waxseal site in a fresh temporary folder.
pub struct Site {
    dir: tempfile::TempDir,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard error (diagnostics and the summary line).
    pub stderr: String,
    /// Standard output.
    pub stdout: String,
}

impl Site {
    /// An empty site.
    pub fn empty() -> Site {
        Site { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    /// A copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), site.root());
        site
    }

    /// A copy of this repository's own example site (its messages, and the
    /// logo and signature in static/).
    pub fn examples() -> Site {
        let site = Site::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&repo.join("content"), &site.root().join("content"));
        copy_dir(&repo.join("static"), &site.root().join("static"));
        site
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file of the site (creating folders).
    pub fn write(&self, rel: &str, text: &str) -> &Site {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Runs `waxseal ARGS` in the site folder.
    /// Adds `yaml` (top-level keys the site's settings do not have yet) to `waxseal.yaml`.
    pub fn add_settings(&self, yaml: &str) -> &Site {
        let settings = std::fs::read_to_string(self.root().join("waxseal.yaml")).unwrap_or_default();
        self.write("waxseal.yaml", &format!("{settings}\n{yaml}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs `waxseal ARGS` in the site folder with environment variables `env` set.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_waxseal"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.root())
            .output()
            .expect("the waxseal binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        }
    }

    /// `waxseal build ARGS`.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// A file of the output folder.
    pub fn output(&self, rel: &str) -> PathBuf {
        self.root().join("output").join(rel)
    }

    /// A file of the output folder's state folder (the lock, the manifest,
    /// the build cache, the sent log), in the site's `.waxseal/`.
    pub fn state(&self, rel: &str) -> PathBuf {
        self.root().join(".waxseal/output").join(rel)
    }

    /// A text file of the output folder.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.output(rel)).unwrap_or_else(|e| panic!("output/{rel}: {e}"))
    }

    /// A PNG of the output folder.
    pub fn png(&self, rel: &str) -> Image {
        Image::read(&self.output(rel))
    }
}

/// Every file below `dir` with its bytes, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The files of output folder `dir`, all of them published: [`tree`],
/// once it is checked that waxseal kept nothing of its own there.
pub fn site_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    assert_nothing_private(dir);
    tree(dir)
}

/// Checks that output folder `dir` holds no file or folder of waxseal's own
/// (named `.waxseal...`: its lock, manifest, build cache or sent log, or a
/// temporary file), at any depth: everything there is published.
pub fn assert_nothing_private(dir: &Path) {
    assert!(dir.is_dir(), "{} is no folder", dir.display());
    let private: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".waxseal"))
        .map(|entry| entry.path().display().to_string())
        .collect();
    assert!(private.is_empty(), "waxseal's own files in the output folder: {private:?}");
}

/// Copies every file below `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A decoded RGBA image.
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    rgba: Vec<u8>,
}

impl Image {
    /// Decodes a PNG file.
    pub fn read(path: &Path) -> Image {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        let rgba = match info.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf.chunks(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
            other => panic!("unexpected PNG colour type {other:?}"),
        };
        Image { width: info.width, height: info.height, rgba }
    }

    /// Writes the image as a PNG (best compression: goldens stay small).
    pub fn write_png(&self, path: &Path) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::High);
        encoder.write_header().unwrap().write_image_data(&self.rgba).unwrap();
    }

    /// How many pixels differ from `other` by more than `tolerance` in some
    /// channel, and an image of them (red on a faded copy of `self`).
    pub fn diff(&self, other: &Image, tolerance: u8) -> (usize, Image) {
        let mut count = 0;
        let mut rgba = Vec::with_capacity(self.rgba.len());
        for (a, b) in self.rgba.chunks(4).zip(other.rgba.chunks(4)) {
            if a.iter().zip(b).any(|(x, y)| x.abs_diff(*y) > tolerance) {
                count += 1;
                rgba.extend_from_slice(&[255, 0, 0, 255]);
            } else {
                rgba.extend(a[..3].iter().map(|c| 255 - (255 - c) / 4));
                rgba.push(255);
            }
        }
        (count, Image { width: self.width, height: self.height, rgba })
    }

    /// The image made `width` pixels wide, as a browser or a feed shows a
    /// picture smaller: each pixel the average of those it covers.
    pub fn shrunk(&self, width: u32) -> Image {
        let scale = self.width as f64 / f64::from(width);
        let height = ((f64::from(self.height) / scale).round() as u32).max(1);
        let span = |at: u32, most: u32| {
            let from = (f64::from(at) * scale) as u32;
            from..((f64::from(at + 1) * scale).ceil() as u32).clamp(from + 1, most)
        };
        let mut rgba = Vec::with_capacity((width * height * 4) as usize);
        for y in 0..height {
            for x in 0..width {
                let (mut sum, mut count) = ([0u32; 4], 0);
                for sy in span(y, self.height) {
                    for sx in span(x, self.width) {
                        let p = self.pixel(sx, sy);
                        (0..4).for_each(|c| sum[c] += u32::from(p[c]));
                        count += 1;
                    }
                }
                rgba.extend(sum.map(|c| (c / count) as u8));
            }
        }
        Image { width, height, rgba }
    }

    /// The pixel at (x, y) as [r, g, b, a].
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2], self.rgba[i + 3]]
    }

    /// How many pixels inside the rectangle (fractions of the image) are
    /// within `tolerance` (per channel) of `color` (`#rrggbb`).
    pub fn count_near(&self, color: &str, tolerance: u8, region: (f32, f32, f32, f32)) -> usize {
        let [r, g, b] = hex(color);
        let (x0, y0) = ((region.0 * self.width as f32) as u32, (region.1 * self.height as f32) as u32);
        let (x1, y1) = ((region.2 * self.width as f32) as u32, (region.3 * self.height as f32) as u32);
        let mut count = 0;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let p = self.pixel(x, y);
                if p[0].abs_diff(r) <= tolerance && p[1].abs_diff(g) <= tolerance && p[2].abs_diff(b) <= tolerance {
                    count += 1;
                }
            }
        }
        count
    }
}

/// `#rrggbb` as bytes.
pub fn hex(color: &str) -> [u8; 3] {
    let c = color.trim_start_matches('#');
    let byte = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).unwrap();
    [byte(0), byte(2), byte(4)]
}

/// The chocolate theme's accent (rose), in which it draws titles and
/// emphasis.
pub const ACCENT: &str = "#a63d5e";
/// The chocolate theme's ink.
pub const INK: &str = "#3b2417";
/// The chocolate theme's text box, as fractions of the card.
pub const TEXT_BOX: (f32, f32, f32, f32) = (0.13, 0.08, 0.87, 0.77);

/// The stylesheet a page links.
pub fn css_href(page: &str) -> String {
    let needle = "rel=\"stylesheet\" href=\"";
    let at = page.find(needle).expect("a stylesheet link") + needle.len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// A static file server for an output folder on 127.0.0.1, serving until the
/// test process ends. Returns its base URL.
pub fn serve(dir: &Path) -> String {
    serve_holding(dir, None)
}

/// Requests a server holds back until the test lets them through (a slow
/// network, for the files a test names, without waiting on a clock).
#[derive(Default)]
pub struct Gate {
    /// Whether they go through, and how many requests were held so far.
    state: std::sync::Mutex<(bool, usize)>,
    opened: std::sync::Condvar,
}

impl Gate {
    /// Lets every held request, and every later one, through.
    pub fn open(&self) {
        self.state.lock().unwrap().0 = true;
        self.opened.notify_all();
    }

    /// How many requests it has held back so far.
    pub fn held(&self) -> usize {
        self.state.lock().unwrap().1
    }

    /// Holds the calling request until the gate is open.
    fn pass(&self) {
        let mut state = self.state.lock().unwrap();
        if !state.0 {
            state.1 += 1;
        }
        while !state.0 {
            state = self.opened.wait(state).unwrap();
        }
    }
}

/// [`serve`], the requests for files whose names end with `.EXT` held at
/// `gate.0` when one is given.
pub fn serve_holding(dir: &Path, gate: Option<(&'static str, std::sync::Arc<Gate>)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().unwrap();
    let dir = dir.to_path_buf();
    // A thread a connection: Chromium opens sockets ahead of its requests
    // (preconnects) and may leave one idle; read one at a time, such a
    // socket held every other request up until Chromium gave it up.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (dir, gate) = (dir.clone(), gate.clone());
            std::thread::spawn(move || answer(stream, &dir, gate.as_ref()));
        }
    });
    format!("http://{addr}/")
}

/// Answers the one request on `stream` with the file of `dir` it names
/// (once `gate` lets it through, for a file it holds).
fn answer(mut stream: std::net::TcpStream, dir: &Path, gate: Option<&(&str, std::sync::Arc<Gate>)>) {
    let mut request = String::new();
    if BufReader::new(&stream).read_line(&mut request).is_err() {
        return;
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/");
    if let Some((_, gate)) = gate.filter(|(ext, _)| path.ends_with(&format!(".{ext}"))) {
        gate.pass();
    }
    let rel = path.trim_start_matches('/');
    let file = if rel.is_empty() || rel.ends_with('/') { dir.join(rel).join("index.html") } else { dir.join(rel) };
    let safe = !rel.split('/').any(|p| p == "..");
    let response = match std::fs::read(&file) {
        Ok(body) if safe => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("png") => "image/png",
                Some("webp") => "image/webp",
                Some("svg") => "image/svg+xml",
                Some("ttf") => "font/ttf",
                Some("woff2") => "font/woff2",
                _ => "application/octet-stream",
            };
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend(body);
            r
        }
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    };
    let _ = stream.write_all(&response);
}

/// Whether the outside program `program` is installed: a name looked up on
/// the PATH (`chromium`, `pdftoppm`, `python3`), an absolute path
/// (`/usr/bin/time`), or `aiosmtpd`, the Python package `python3` imports.
pub fn tool(program: &str) -> bool {
    if program == "aiosmtpd" {
        return tool("python3")
            && Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
    }
    let runnable = |path: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return runnable(Path::new(program));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| runnable(&dir.join(program)))
}

/// Whether every program of `programs` is installed (see [`tool`]), for the
/// part `what` of the running test (`None`: the whole test). A laptop may lack
/// them, so when one is missing this says what is skipped on standard error
/// and returns false; with `WAXSEAL_REQUIRE_TOOLS=1` (CI sets it) a missing
/// program fails the test instead, so nothing is skipped unseen there.
pub fn installed(programs: &[&str], what: Option<&str>) -> bool {
    let Some(missing) = programs.iter().find(|p| !tool(p)) else { return true };
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let test = match what {
        Some(what) => format!("{test} ({what})"),
        None => test,
    };
    if std::env::var("WAXSEAL_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{test}: {missing} is not installed, and WAXSEAL_REQUIRE_TOOLS=1 requires it (.ci/run installs it)");
    }
    // Past the harness's capture of `eprintln!`, so a passing run shows it.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: {missing} is not installed (WAXSEAL_REQUIRE_TOOLS=1 makes this a failure)"
    );
    false
}

/// Ends the test here, passing, unless the outside programs named are
/// installed (see [`installed`]): what the test did before still counts.
macro_rules! require {
    ($($program:expr),+ $(,)?) => {
        if !$crate::support::installed(&[$($program),+], None) {
            return;
        }
    };
}
pub(crate) use require;

/// Headless Chromium with the flags every test uses and its own profile
/// folder `profile`.
pub fn chromium(profile: &Path) -> Command {
    let mut command = Command::new("chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A screenshot of `url` by headless Chromium, `width` x `height` CSS pixels.
pub fn screenshot(url: &str, width: u32, height: u32) -> Image {
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("shot.png");
    let status = chromium(&profile.path().join("profile"))
        .args(["--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=5000"])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(url)
        .output()
        .expect("headless Chromium (Debian's `chromium` package; .ci/run installs it)");
    assert!(status.status.success(), "chromium failed: {}", String::from_utf8_lossy(&status.stderr));
    Image::read(&shot)
}

/// How long anything may take: a rebuild, a page load, Chromium starting.
/// A bound on waiting, not a speed test: with the whole suite running on a
/// 2-core machine a page with every theme's fonts once took over 30 s.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// Polls `check` until it gives a value, or fails the test with `what`.
pub fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < end, "timed out after {DEADLINE:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// An HTTP response.
pub struct Response {
    /// The status code (0 when there was none).
    pub status: u16,
    /// The head, lower-cased.
    pub headers: String,
    /// The body, de-chunked.
    pub body: String,
    /// The body's bytes, de-chunked.
    pub bytes: Vec<u8>,
}

/// A minimal HTTP/1.1 GET: the path goes out exactly as given.
pub fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Response {
    request(port, "GET", path, headers)
}

/// A minimal HTTP/1.1 request with no body: the method and the path go out
/// exactly as given, on a connection of its own.
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    read_response(&mut BufReader::new(stream), method == "HEAD")
}

/// Reads one response: the head, then as much body as it announces (not
/// every server closes the connection when asked to); a response to HEAD
/// has none.
pub fn read_response(reader: &mut impl BufRead, head_only: bool) -> Response {
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        if reader.read_line(&mut head).unwrap() == 0 {
            break;
        }
    }
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = head.to_ascii_lowercase();
    let length = headers.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
    let mut bytes = Vec::new();
    if head_only {
        // No body, whatever the head says its length would be.
    } else if headers.contains("transfer-encoding: chunked") {
        bytes = read_chunks(reader);
    } else if let Some(length) = length {
        bytes.resize(length, 0);
        reader.read_exact(&mut bytes).unwrap();
    } else {
        reader.read_to_end(&mut bytes).unwrap();
    }
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Response { status, headers, body, bytes }
}

/// The body of a chunked response, read to its last chunk.
fn read_chunks(reader: &mut impl BufRead) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        if reader.read_line(&mut size).unwrap() == 0 {
            return body;
        }
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16).unwrap_or(0);
        let mut chunk = vec![0; size + 2];
        if size == 0 {
            // The last chunk: only its line end (no trailers are sent).
            chunk.truncate(2);
        }
        if reader.read_exact(&mut chunk).is_err() || size == 0 {
            return body;
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// A PNG of `width` x `height` pixels of `color`, with a transparent
/// margin of `margin` pixels when `margin` is not 0.
pub fn solid_png(width: u32, height: u32, color: &str, margin: u32) -> Vec<u8> {
    let [r, g, b] = hex(color);
    let mut data = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let inside = x >= margin && y >= margin && x < width - margin && y < height - margin;
            data.extend(if inside { [r, g, b, 255] } else { [0, 0, 0, 0] });
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.write_header().unwrap().write_image_data(&data).unwrap();
    out
}

/// Writes file `rel` of `site` with `bytes` (creating folders).
pub fn write_bytes(site: &Site, rel: &str, bytes: &[u8]) {
    let path = site.root().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
