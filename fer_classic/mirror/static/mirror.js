// The fer-classic mirror page: camera frames to the local server, faces and timeline back.
//
// One frame is in flight at a time: the next is sent once the reply to the last has come,
// and no sooner than 1 / max_fps seconds after it, so the page never floods the server.
// The page's state is also kept in data- attributes of <body> (status, faces, label,
// frames, points, take) for tests and for anyone reading the DOM.
"use strict";

(() => {
  const WINDOW_S = 60;          // the timeline's span
  const STATS_S = 5;            // frames per second over this many seconds
  const LATENCY_FRAMES = 20;    // latency: median of this many frames
  const STALL_MS = 10000;       // a reply this late: send again anyway
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  const $ = (id) => document.getElementById(id);
  const body = document.body;

  const state = {
    hello: null,        // the server's hello message
    ws: null,
    video: $("video"),
    grab: document.createElement("canvas"),
    inFlight: null,     // {t} of the frame sent and not yet answered
    sent: 0,            // frames sent on this connection (the server numbers them alike)
    sentAt: new Map(),  // frame number -> {t: performance.now() when captured}
    lastSend: 0,
    timer: 0,
    replies: [],        // reply times, for frames per second
    latencies: [],      // round trips in ms
    serverMs: [],
    timeline: [],       // {t: seconds (page clock), scores: array | null}
    points: 0,          // timeline points with a face, ever
    last: null,         // the last result
    take: null,         // the take in progress or the last one
    urls: [],           // object URLs of the last take's downloads
    refused: false,     // the last reply was an error
  };

  // ---- helpers -----------------------------------------------------------------------

  function setStatus(status, text) {
    body.dataset.status = status;
    $("status").textContent = text;
  }

  function colour(i) {
    if (i < PALETTE.length) return PALETTE[i];
    return `hsl(${(i * 137.5) % 360}, 65%, 55%)`;
  }

  function median(values) {
    if (!values.length) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  function largestFace(faces) {
    let best = null;
    for (const face of faces) {
      const area = face.box.width * face.box.height;
      if (!best || area > best.box.width * best.box.height) best = face;
    }
    return best;
  }

  function scoresOf(face) {
    const scores = face[state.hello.scores_key];
    return state.hello.class_names.map((name) => scores[name]);
  }

  function isProbability() {
    return state.hello.scores_key === "probabilities";
  }

  function formatScore(value) {
    return isProbability() ? value.toFixed(2) : (value >= 0 ? "+" : "") + value.toFixed(2);
  }

  // Bar lengths in [0, 1]: probabilities as they are, decision scores min-max scaled.
  function barFractions(values) {
    if (isProbability()) return values.map((v) => Math.max(0, Math.min(1, v)));
    const lo = Math.min(...values), hi = Math.max(...values);
    return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5));
  }

  function sizeCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    return ratio;
  }

  // ---- the connection ------------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    state.ws = ws;
    setStatus("connecting", "connecting to the server");
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "hello") onHello(message);
      else if (message.type === "result") onResult(message);
      else if (message.type === "error") onFrameError(message);
    };
    ws.onclose = () => {
      clearTimeout(state.timer);
      setStatus("disconnected", "the server closed the connection: restart fer-classic mirror and reload");
      if (state.take && state.take.running) stopTake();
    };
  }

  function onHello(hello) {
    state.hello = hello;
    $("model").textContent =
      `${hello.model} · ${hello.class_names.length} classes · ${hello.detector.method} detector`;
    buildBars();
    buildLegend();
    const scripted = hello.script.length > 0;
    $("script-panel").hidden = !scripted;
    $("no-script").hidden = scripted;
    startCamera();
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus("error", "no camera access here: browsers give the camera only to pages " +
        "from localhost or https; open the address fer-classic mirror printed on this machine");
      return;
    }
    setStatus("camera", "asking for the camera");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" },
        audio: false,
      });
      state.video.srcObject = stream;
      await state.video.play();
    } catch (error) {
      const why = {
        NotAllowedError: "the camera was refused: allow it for this page and reload",
        NotFoundError: "no camera found",
        NotReadableError: "the camera is in use by another program",
      }[error.name] || `the camera could not start (${error.name}: ${error.message})`;
      setStatus("error", why);
      return;
    }
    setStatus("running", "running");
    $("start-take").disabled = false;
    pump();
  }

  // Send the next frame when none is in flight and the rate allows it.
  function pump() {
    clearTimeout(state.timer);
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    if (state.inFlight && now - state.inFlight.t < STALL_MS) {
      // A reply lost to a stall: send again after STALL_MS.
      state.timer = setTimeout(pump, STALL_MS - (now - state.inFlight.t));
      return;
    }
    const video = state.video;
    if (video.readyState < 2 || !video.videoWidth) {
      state.timer = setTimeout(pump, 100);
      return;
    }
    const wait = state.lastSend + 1000 / state.hello.max_fps - now;
    if (wait > 0) {
      state.timer = setTimeout(pump, wait);
      return;
    }
    sendFrame(now);
  }

  function sendFrame(now) {
    const video = state.video;
    const width = Math.min(state.hello.frame_width, video.videoWidth);
    const height = Math.round((video.videoHeight * width) / video.videoWidth);
    const grab = state.grab;
    grab.width = width;
    grab.height = height;
    grab.getContext("2d").drawImage(video, 0, 0, width, height);
    state.lastSend = now;
    state.inFlight = { t: now };
    grab.toBlob((blob) => {
      if (!blob || state.ws.readyState !== WebSocket.OPEN) {
        state.inFlight = null;
        state.timer = setTimeout(pump, 100);
        return;
      }
      state.sent += 1;
      state.sentAt.set(state.sent, { t: now });
      state.ws.send(blob);
    }, "image/jpeg", state.hello.jpeg_quality);
    state.timer = setTimeout(pump, STALL_MS);  // in case no reply comes
  }

  // The capture time of frame `number`; forgets it and every older frame.
  function sentTime(number) {
    const sent = state.sentAt.get(number);
    for (const key of state.sentAt.keys()) if (key <= number) state.sentAt.delete(key);
    return sent ? sent.t : performance.now();
  }

  function onFrameError(message) {
    sentTime(message.frame);
    state.inFlight = null;
    state.refused = true;
    setStatus("running", `a frame was refused: ${message.message}`);
    pump();
  }

  function onResult(message) {
    const now = performance.now();
    const captured = sentTime(message.frame);
    state.inFlight = null;
    state.last = message;
    if (state.refused) {
      state.refused = false;
      setStatus("running", "running");
    }

    state.replies.push(now);
    while (state.replies.length && state.replies[0] < now - STATS_S * 1000) state.replies.shift();
    state.latencies.push(now - captured);
    state.serverMs.push(message.server_ms);
    if (state.latencies.length > LATENCY_FRAMES) state.latencies.shift();
    if (state.serverMs.length > LATENCY_FRAMES) state.serverMs.shift();

    const main = largestFace(message.faces);
    const scores = main ? scoresOf(main) : null;
    state.timeline.push({ t: captured / 1000, scores });
    while (state.timeline.length && state.timeline[0].t < now / 1000 - WINDOW_S) {
      state.timeline.shift();
    }
    if (main) state.points += 1;
    if (state.take && state.take.running) recordTakeFrame(captured, message, main, scores);

    body.dataset.faces = String(message.faces.length);
    body.dataset.label = main ? main.label : "";
    body.dataset.frames = String(message.counters.processed);
    body.dataset.points = String(state.points);

    drawOverlay(message);
    showFace(main, scores);
    showSpeed(message);
    drawTimeline();
    pump();
  }

  // ---- what is shown ---------------------------------------------------------------------

  function buildBars() {
    const list = $("bars");
    list.replaceChildren();
    state.hello.class_names.forEach((name, i) => {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = name;
      const track = document.createElement("span");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.background = colour(i);
      bar.style.display = "block";
      bar.style.width = "0%";
      track.append(bar);
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = "–";
      item.append(label, track, value);
      list.append(item);
    });
  }

  function buildLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    state.hello.class_names.forEach((name, i) => {
      const item = document.createElement("li");
      item.textContent = name;
      item.style.setProperty("--swatch", colour(i));
      legend.append(item);
    });
  }

  function showFace(main, scores) {
    $("label").textContent = main ? main.label : "no face";
    $("score").textContent = main ? formatScore(main.score) : "";
    const items = $("bars").children;
    const fractions = scores ? barFractions(scores) : null;
    for (let i = 0; i < items.length; i++) {
      const [, track, value] = items[i].children;
      track.firstChild.style.width = fractions ? `${(fractions[i] * 100).toFixed(1)}%` : "0%";
      value.textContent = scores ? formatScore(scores[i]) : "–";
    }
  }

  function showSpeed(message) {
    const replies = state.replies;
    const span = replies.length > 1 ? (replies[replies.length - 1] - replies[0]) / 1000 : 0;
    $("fps").textContent = span > 0 ? ((replies.length - 1) / span).toFixed(1) : "–";
    $("latency").textContent = `${median(state.latencies).toFixed(0)} ms`;
    $("server-ms").textContent = `${median(state.serverMs).toFixed(0)} ms`;
    const c = message.counters;
    $("counters").textContent = `${c.processed} / ${c.dropped}`;
  }

  function drawOverlay(message) {
    const canvas = $("overlay");
    const ratio = sizeCanvas(canvas);
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // Where the picture lies in the video element (object-fit: contain), in canvas pixels.
    const video = state.video;
    const fit = Math.min(canvas.width / video.videoWidth, canvas.height / video.videoHeight);
    const left = (canvas.width - video.videoWidth * fit) / 2;
    const top = (canvas.height - video.videoHeight * fit) / 2;
    const scale = (video.videoWidth * fit) / message.width;
    const mirrored = $("stage").classList.contains("mirrored");
    const font = Math.round(13 * ratio);
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    ctx.textBaseline = "top";
    const names = state.hello.class_names;
    for (const face of message.faces) {
      const b = face.box;
      const w = b.width * scale, h = b.height * scale;
      const x = left + (mirrored ? message.width - b.x - b.width : b.x) * scale;
      const y = top + b.y * scale;
      const labelColour = colour(names.indexOf(face.label));
      ctx.lineWidth = 3 * ratio;
      ctx.strokeStyle = labelColour;
      ctx.strokeRect(x, y, w, h);
      // The label above the box (inside it when the box touches the top).
      const caption = `${face.label} ${formatScore(face.score)}`;
      const captionWidth = ctx.measureText(caption).width + 8 * ratio;
      const captionY = y - font - 8 * ratio >= 0 ? y - font - 8 * ratio : y;
      ctx.fillStyle = labelColour;
      ctx.fillRect(x - 1.5 * ratio, captionY, captionWidth, font + 8 * ratio);
      ctx.fillStyle = "#fff";
      ctx.fillText(caption, x + 3 * ratio, captionY + 4 * ratio);
      // The class scores beside the box: right of it, or left where there is no room.
      const scores = scoresOf(face);
      const fractions = barFractions(scores);
      const rowH = Math.round(font * 1.25);
      const barW = 70 * ratio, nameW = 62 * ratio;
      const panelW = nameW + barW + 10 * ratio;
      let px = x + w + 6 * ratio;
      if (px + panelW > canvas.width) px = Math.max(0, x - panelW - 6 * ratio);
      const py = Math.min(y, Math.max(0, canvas.height - rowH * names.length - 6 * ratio));
      ctx.fillStyle = "rgba(0, 0, 0, 0.55)";
      ctx.fillRect(px, py, panelW, rowH * names.length + 6 * ratio);
      ctx.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
      names.forEach((name, i) => {
        const ry = py + 3 * ratio + i * rowH;
        ctx.fillStyle = "#ddd";
        ctx.fillText(name, px + 4 * ratio, ry + 1 * ratio);
        ctx.fillStyle = colour(i);
        ctx.fillRect(px + nameW, ry + 2 * ratio, Math.max(1, fractions[i] * barW), rowH - 5 * ratio);
      });
      ctx.font = `600 ${font}px system-ui, sans-serif`;
    }
  }

  function drawTimeline() {
    const canvas = $("timeline");
    const ratio = sizeCanvas(canvas);
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    if (!state.hello) return;
    const left = 38 * ratio, right = 10 * ratio, top = 18 * ratio, bottom = 22 * ratio;
    const plotW = W - left - right, plotH = H - top - bottom;
    const now = performance.now() / 1000;
    const t0 = now - WINDOW_S;
    const xOf = (t) => left + ((t - t0) / WINDOW_S) * plotW;

    // The y range: [0, 1] for probabilities, the scores' own range otherwise.
    let lo = 0, hi = 1;
    if (!isProbability()) {
      const all = state.timeline.filter((p) => p.scores).flatMap((p) => p.scores);
      if (all.length) { lo = Math.min(...all); hi = Math.max(...all); }
      if (hi <= lo) { lo -= 1; hi += 1; }
    }
    const yOf = (v) => top + (1 - (v - lo) / (hi - lo)) * plotH;

    ctx.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
    ctx.fillStyle = "#9aa0a6";
    ctx.strokeStyle = "#34383e";
    ctx.lineWidth = 1 * ratio;
    // The last take's script, as bands in the colour of each cue's emotion.
    const take = state.take;
    if (take) {
      const start = take.t0 / 1000;
      const stop = take.running ? Infinity : start + take.duration;
      for (const cue of state.hello.script) {
        const a = Math.max(xOf(start + cue.start), left);
        const b = Math.min(xOf(Math.min(start + cue.end, stop)), left + plotW);
        if (b <= a) continue;
        ctx.globalAlpha = 0.16;
        ctx.fillStyle = colour(state.hello.class_names.indexOf(cue.emotion));
        ctx.fillRect(a, top, b - a, plotH);
        ctx.globalAlpha = 1;
        ctx.fillStyle = "#c8c8c8";
        ctx.textBaseline = "bottom";
        ctx.fillText(cue.emotion, a + 3 * ratio, top - 2 * ratio);
      }
    }
    ctx.fillStyle = "#9aa0a6";
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (const v of [lo, (lo + hi) / 2, hi]) {
      ctx.beginPath();
      ctx.moveTo(left, yOf(v));
      ctx.lineTo(left + plotW, yOf(v));
      ctx.stroke();
      ctx.fillText(v.toFixed(isProbability() ? 1 : 2), left - 5 * ratio, yOf(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let s = 0; s <= WINDOW_S; s += 10) {
      const x = xOf(now - s);
      ctx.fillText(s ? `-${s} s` : "now", x, top + plotH + 5 * ratio);
    }
    ctx.textAlign = "left";

    // One line per class, broken where the frame had no face.
    ctx.lineWidth = 2 * ratio;
    ctx.lineJoin = "round";
    state.hello.class_names.forEach((_, c) => {
      ctx.strokeStyle = colour(c);
      ctx.beginPath();
      let drawing = false;
      for (const point of state.timeline) {
        if (!point.scores || point.t < t0) { drawing = false; continue; }
        const x = xOf(point.t), y = yOf(point.scores[c]);
        if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        drawing = true;
      }
      ctx.stroke();
    });
  }

  // ---- takes -----------------------------------------------------------------------------

  function cueAt(t) {
    return state.hello.script.find((cue) => cue.start <= t && t < cue.end) || null;
  }

  function nextCue(t) {
    return state.hello.script.find((cue) => cue.start > t) || null;
  }

  function startTake() {
    for (const url of state.urls) URL.revokeObjectURL(url);
    state.urls = [];
    $("downloads").hidden = true;
    $("downloads").replaceChildren();
    state.take = {
      running: true,
      t0: performance.now(),
      started: new Date(),
      frames: [],
      scored: 0,     // frames with a face during a cue
      agreeing: 0,   // ... whose label is the cue's emotion
      noFace: 0,     // frames without a face during a cue
    };
    body.dataset.take = "running";
    $("start-take").disabled = true;
    $("stop-take").disabled = false;
    showTake();
  }

  function recordTakeFrame(captured, message, main, scores) {
    const take = state.take;
    if (captured < take.t0) return;  // sent before the take started
    const t = (captured - take.t0) / 1000;
    const cue = cueAt(t);
    const frame = {
      time_s: Math.round(t * 1000) / 1000,
      faces: message.faces.length,
      label: main ? main.label : "",
      score: main ? main.score : null,
      scores: main ? Object.fromEntries(state.hello.class_names.map((n, i) => [n, scores[i]])) : null,
      intended: cue ? cue.emotion : "",
    };
    take.frames.push(frame);
    if (cue && main) {
      take.scored += 1;
      if (main.label === cue.emotion) take.agreeing += 1;
    } else if (cue) {
      take.noFace += 1;
    }
  }

  function agreementText(take) {
    if (!take.scored) return "no scored frame yet";
    const share = take.agreeing / take.scored;
    return `${Math.round(share * 100)}% (${take.agreeing} of ${take.scored} frames)`;
  }

  function showTake() {
    const take = state.take;
    if (!take) return;
    const t = take.running ? (performance.now() - take.t0) / 1000 : take.duration;
    $("take-clock").textContent = `${t.toFixed(1)} s`;
    if (!state.hello.script.length) return;
    const cue = take.running ? cueAt(t) : null;
    const next = take.running ? nextCue(t) : null;
    $("intended").textContent = cue ? cue.emotion : "–";
    $("detected").textContent = state.last && take.running ? body.dataset.label || "no face" : "–";
    $("next-cue").textContent = next ? `${next.emotion} at ${next.start} s` : "–";
    $("agreement").textContent = agreementText(take);
    $("agreement").dataset.share = take.scored ? String(take.agreeing / take.scored) : "";
    const last = state.hello.script[state.hello.script.length - 1];
    if (take.running && t >= last.end) stopTake();
  }

  function stopTake() {
    const take = state.take;
    if (!take || !take.running) return;
    take.running = false;
    take.duration = (performance.now() - take.t0) / 1000;
    body.dataset.take = "done";
    $("start-take").disabled = !(state.ws && state.ws.readyState === WebSocket.OPEN);
    $("stop-take").disabled = true;
    showTake();
    offerDownloads(take);
  }

  function takeCsv(take) {
    const names = state.hello.class_names;
    const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [["time_s", "faces", "label", "score", ...names, "intended"].map(quote).join(",")];
    for (const f of take.frames) {
      const scores = names.map((n) => (f.scores ? String(f.scores[n]) : ""));
      lines.push([String(f.time_s), String(f.faces), f.label,
                  f.score === null ? "" : String(f.score), ...scores, f.intended].map(quote).join(","));
    }
    return lines.join("\n") + "\n";
  }

  function takeJson(take) {
    const key = state.hello.scores_key;
    return JSON.stringify({
      model: state.hello.model,
      class_names: state.hello.class_names,
      probability_kind: state.hello.probability_kind,
      started: take.started.toISOString(),
      duration_s: Math.round(take.duration * 1000) / 1000,
      script: state.hello.script,
      agreement: {
        frames_scored: take.scored,
        frames_agreeing: take.agreeing,
        frames_without_face: take.noFace,
        share: take.scored ? take.agreeing / take.scored : null,
      },
      frames: take.frames.map((f) => ({
        time_s: f.time_s, faces: f.faces, label: f.label || null, score: f.score,
        [key]: f.scores, intended: f.intended || null,
      })),
    }, null, 1) + "\n";
  }

  function offerDownloads(take) {
    const stamp = take.started.toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    const box = $("downloads");
    box.replaceChildren(document.createTextNode("this take's timeline: "));
    for (const [kind, text, type] of [["csv", takeCsv(take), "text/csv"],
                                      ["json", takeJson(take), "application/json"]]) {
      const url = URL.createObjectURL(new Blob([text], { type }));
      state.urls.push(url);
      const link = document.createElement("a");
      link.href = url;
      link.download = `take-${stamp}.${kind}`;
      link.id = `download-${kind}`;
      link.textContent = kind.toUpperCase();
      box.append(link);
    }
    box.hidden = false;
  }

  // ---- start -----------------------------------------------------------------------------

  $("start-take").addEventListener("click", startTake);
  $("stop-take").addEventListener("click", stopTake);
  $("mirror-view").addEventListener("change", (event) => {
    $("stage").classList.toggle("mirrored", event.target.checked);
    if (state.last) drawOverlay(state.last);
  });
  window.addEventListener("resize", () => {
    if (state.last) drawOverlay(state.last);
    drawTimeline();
  });
  setInterval(() => { drawTimeline(); showTake(); }, 250);
  connect();
})();
