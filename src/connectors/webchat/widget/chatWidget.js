// Konversa web chat widget: embedded with <script src="https://<konversa>/widget/<channel id>.js">.
// Plain browser JavaScript without dependencies. Everything lives in a shadow root, so the
// website's CSS cannot reach it and its CSS does not leak out. Visitor and agent text is only ever
// set as textContent, never as HTML. Protocol: docs/connectors.md (web chat).
(() => {
  const script = document.currentScript;
  if (!script?.src) return;
  const source = new URL(script.src);
  const match = /\/widget\/([0-9a-fA-F-]{36})\.js$/.exec(source.pathname);
  if (!match) return;
  const channelId = match[1];
  const hostId = `konversa-chat-${channelId}`;
  if (document.getElementById(hostId)) return;
  const socketUrl = `${source.protocol === "https:" ? "wss:" : "ws:"}//${source.host}/api/v1/webchat/${channelId}/socket`;
  const storageKey = `konversa-chat:${channelId}`;

  const language = (document.documentElement.lang || navigator.language || "en")
    .toLowerCase()
    .startsWith("de")
    ? "de"
    : "en";
  const words = {
    de: {
      open: "Chat öffnen",
      title: "Chat",
      close: "Chat schließen",
      name: "Name",
      email: "E-Mail",
      start: "Chat starten",
      consentMissing: "Bitte stimmen Sie zu, damit wir Ihre Angaben für den Chat verwenden dürfen.",
      offline: "Gerade ist niemand online. Schreiben Sie uns trotzdem – wir antworten per E-Mail.",
      followUp: (email) => `Wir antworten Ihnen per E-Mail an ${email}.`,
      placeholder: "Nachricht schreiben …",
      send: "Senden",
      attach: "Datei anhängen",
      messages: "Nachrichten",
      you: "Sie",
      typing: (name) => `${name} schreibt …`,
      tooLong: (max) => `Eine Nachricht darf höchstens ${max} Zeichen haben.`,
      fileTooBig: (mb) => `Dateien dürfen höchstens ${mb} MB groß sein.`,
      fileType: "Dieser Dateityp kann nicht gesendet werden (erlaubt: PNG, JPEG, GIF, WebP, PDF, Text).",
      connecting: "Verbinde …",
      unavailable: "Der Chat ist gerade nicht erreichbar.",
    },
    en: {
      open: "Open chat",
      title: "Chat",
      close: "Close chat",
      name: "Name",
      email: "E-mail",
      start: "Start chat",
      consentMissing: "Please agree so that we may use your details for the chat.",
      offline: "Nobody is online right now. Write to us anyway – we will answer by e-mail.",
      followUp: (email) => `We will answer you by e-mail at ${email}.`,
      placeholder: "Write a message …",
      send: "Send",
      attach: "Attach a file",
      messages: "Messages",
      you: "You",
      typing: (name) => `${name} is typing …`,
      tooLong: (max) => `A message can have at most ${max} characters.`,
      fileTooBig: (mb) => `Files can be at most ${mb} MB.`,
      fileType: "This type of file cannot be sent (allowed: PNG, JPEG, GIF, WebP, PDF, text).",
      connecting: "Connecting …",
      unavailable: "The chat cannot be reached right now.",
    },
  }[language];

  const host = document.createElement("div");
  host.id = hostId;
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px;
    padding: 14px 20px; color: #fff; background: var(--accent); font-size: 15px; font-weight: 600; cursor: pointer;
    box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483001; width: 360px; max-width: calc(100vw - 24px);
    height: 520px; max-height: calc(100vh - 40px); display: flex; flex-direction: column; background: #fff; color: #1a1b1e;
    border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; font-size: 14px; line-height: 1.4; }
  .panel[hidden], .launcher[hidden], [hidden] { display: none !important; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; color: #fff; background: var(--accent); }
  header h2 { margin: 0; font-size: 16px; }
  header button { border: 0; background: transparent; color: #fff; font-size: 20px; cursor: pointer; line-height: 1; }
  .body { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; }
  .greeting { margin: 0; color: #495057; }
  .notice { margin: 0; padding: 8px 10px; border-radius: 8px; background: #fff4e6; color: #7a3e00; }
  form.prechat { display: flex; flex-direction: column; gap: 8px; }
  label { display: flex; flex-direction: column; gap: 3px; font-weight: 600; font-size: 13px; }
  label.consent { flex-direction: row; align-items: flex-start; gap: 8px; font-weight: 400; font-size: 12px; color: #495057; }
  input[type=text], input[type=email], textarea { font: inherit; padding: 8px; border: 1px solid #ced4da; border-radius: 6px; width: 100%; color: #1a1b1e; background: #fff; }
  button.primary { border: 0; border-radius: 6px; padding: 9px 12px; color: #fff; background: var(--accent); font-weight: 600; cursor: pointer; }
  ol.lines { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
  ol.lines li { max-width: 85%; padding: 7px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
  ol.lines li.visitor { align-self: flex-end; background: var(--accent); color: #fff; }
  ol.lines li.agent { align-self: flex-start; background: #f1f3f5; }
  ol.lines li .author { display: block; font-size: 11px; opacity: .8; }
  .typing { min-height: 18px; font-size: 12px; color: #868e96; padding: 0 14px; }
  .error { margin: 0 14px 6px; color: #c92a2a; font-size: 12px; }
  .composer { display: flex; gap: 6px; padding: 8px 10px; border-top: 1px solid #e9ecef; align-items: flex-end; }
  .composer textarea { resize: none; height: 40px; }
  .composer .file { border: 1px solid #ced4da; background: #fff; border-radius: 6px; padding: 8px; cursor: pointer;
    display: flex; align-items: center; color: #495057; }
  @media (max-width: 480px) {
    .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }
  }
</style>
<button class="launcher" type="button"></button>
<section class="panel" hidden role="dialog">
  <header><h2></h2><button class="close" type="button">×</button></header>
  <div class="body">
    <p class="greeting"></p>
    <p class="notice offline" hidden></p>
    <form class="prechat" hidden novalidate>
      <label><span class="l-name"></span><input name="name" type="text" autocomplete="name" maxlength="120" required></label>
      <label><span class="l-email"></span><input name="email" type="email" autocomplete="email" maxlength="254" required></label>
      <label class="consent"><input name="consent" type="checkbox"><span class="privacy"></span></label>
      <button class="primary start" type="submit"></button>
    </form>
    <p class="notice followup" hidden></p>
    <ol class="lines" aria-live="polite"></ol>
  </div>
  <div class="typing" aria-live="polite"></div>
  <p class="error" role="alert" hidden></p>
  <form class="composer" hidden>
    <input class="attachment" type="file" hidden>
    <button class="file" type="button"><svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12.5l-8.5 8.5a5 5 0 0 1-7-7L14 5.5a3.3 3.3 0 0 1 4.7 4.7L10.2 18.7a1.7 1.7 0 0 1-2.4-2.4L15.5 8.6"/></svg></button>
    <textarea name="text" rows="1"></textarea>
    <button class="primary send" type="submit"></button>
  </form>
</section>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher");
  const panel = $(".panel");
  const prechat = $("form.prechat");
  const composer = $("form.composer");
  const lines = $("ol.lines");
  const typingLine = $(".typing");
  const errorLine = $(".error");
  const textarea = composer.querySelector("textarea");
  const fileInput = $(".attachment");

  launcher.textContent = words.open;
  launcher.setAttribute("aria-label", words.open);
  panel.setAttribute("aria-label", words.title);
  $("header h2").textContent = words.title;
  $(".close").setAttribute("aria-label", words.close);
  $(".l-name").textContent = words.name;
  $(".l-email").textContent = words.email;
  $(".start").textContent = words.start;
  lines.setAttribute("aria-label", words.messages);
  textarea.placeholder = words.placeholder;
  textarea.setAttribute("aria-label", words.placeholder);
  $(".send").textContent = words.send;
  $(".file").setAttribute("aria-label", words.attach);
  $(".file").title = words.attach;
  $(".greeting").textContent = words.connecting;
  host.style.setProperty("--accent", "#1c7ed6");

  let socket;
  let limits = { maxMessageLength: 4000, maxAttachmentBytes: 2097152, attachmentTypes: [] };
  let started = false;
  let retry = 0;
  let typingTimer;
  let lastTyping = 0;
  const shown = new Map();
  const pending = new Map();

  function showError(text) {
    errorLine.textContent = text || "";
    errorLine.hidden = !text;
  }

  function addLine(line) {
    const existing = shown.get(line.id) || (line.clientId && pending.get(line.clientId));
    if (existing) {
      shown.set(line.id, existing);
      return;
    }
    const item = document.createElement("li");
    item.className = line.from;
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = line.from === "visitor" ? words.you : line.author;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = line.text;
    item.append(author, text);
    lines.append(item);
    shown.set(line.id, item);
    if (line.clientId) pending.set(line.clientId, item);
    if (line.from === "agent") typingLine.textContent = "";
    item.scrollIntoView({ block: "end" });
  }

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    showError(words.unavailable);
    return false;
  }

  function connect() {
    socket = new WebSocket(socketUrl);
    socket.addEventListener("open", () => {
      retry = 0;
      const token = localStorage.getItem(storageKey);
      if (token) sendFrame({ type: "resume", token });
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      receive(frame);
    });
    socket.addEventListener("close", () => {
      socket = undefined;
      if (panel.hidden && !started) return;
      retry += 1;
      if (retry > 8) {
        showError(words.unavailable);
        return;
      }
      setTimeout(connect, Math.min(30000, 500 * 2 ** retry));
    });
  }

  function receive(frame) {
    if (frame.type === "welcome") {
      host.style.setProperty("--accent", frame.colour);
      $(".greeting").textContent = frame.greeting;
      $(".privacy").textContent = frame.privacyText;
      limits = frame.limits;
      const offline = $(".offline");
      offline.textContent = words.offline;
      offline.hidden = frame.online;
      if (!started && !localStorage.getItem(storageKey)) prechat.hidden = false;
    } else if (frame.type === "session") {
      if (frame.token) localStorage.setItem(storageKey, frame.token);
      started = true;
      prechat.hidden = true;
      $(".offline").hidden = true;
      composer.hidden = false;
      showError("");
      const followUp = $(".followup");
      const email = prechat.elements.email.value;
      followUp.hidden = !frame.emailFollowUp || !email;
      followUp.textContent = email ? words.followUp(email) : "";
      for (const line of frame.lines) addLine(line);
    } else if (frame.type === "line") {
      addLine(frame.line);
    } else if (frame.type === "ack") {
      const item = pending.get(frame.clientId);
      if (item) {
        item.style.opacity = "1";
        shown.set(frame.id, item);
      }
    } else if (frame.type === "typing") {
      typingLine.textContent = words.typing(frame.author);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => {
        typingLine.textContent = "";
      }, 6000);
    } else if (frame.type === "error") {
      if (frame.code === "session_unknown") {
        localStorage.removeItem(storageKey);
        started = false;
        composer.hidden = true;
        prechat.hidden = false;
      }
      if (frame.clientId) {
        const item = pending.get(frame.clientId);
        if (item) item.remove();
        pending.delete(frame.clientId);
      }
      showError(frame.message);
    }
  }

  function openPanel() {
    launcher.hidden = true;
    panel.hidden = false;
    if (!socket) connect();
  }

  launcher.addEventListener("click", openPanel);
  $(".close").addEventListener("click", () => {
    panel.hidden = true;
    launcher.hidden = false;
  });

  prechat.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = prechat.elements.name.value.trim();
    const email = prechat.elements.email.value.trim();
    if (!name || !prechat.elements.email.checkValidity() || !email) {
      showError(`${words.name}, ${words.email}?`);
      return;
    }
    if (!prechat.elements.consent.checked) {
      showError(words.consentMissing);
      return;
    }
    showError("");
    sendFrame({ type: "start", name, email, consent: true, language });
  });

  let counter = 0;
  const nextClientId = () => {
    counter += 1;
    return `${Date.now().toString(36)}-${counter}`;
  };

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    if (text.length > limits.maxMessageLength) {
      showError(words.tooLong(limits.maxMessageLength));
      return;
    }
    const clientId = nextClientId();
    if (!sendFrame({ type: "message", clientId, text })) return;
    showError("");
    textarea.value = "";
    // Sending ends this bout of typing: the next keystroke says so again at once.
    lastTyping = 0;
    addLine({ id: `local-${clientId}`, from: "visitor", author: words.you, text, clientId });
    pending.get(clientId).style.opacity = ".6";
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (now - lastTyping < 2000) return;
    lastTyping = now;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "typing" }));
  });

  $(".file").addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    if (limits.attachmentTypes.length > 0 && !limits.attachmentTypes.includes(file.type)) {
      showError(words.fileType);
      return;
    }
    if (file.size > limits.maxAttachmentBytes) {
      showError(words.fileTooBig(limits.maxAttachmentBytes / 1048576));
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const data = String(reader.result).replace(/^data:[^,]*,/, "");
      const clientId = nextClientId();
      if (!sendFrame({ type: "attachment", clientId, fileName: file.name, contentType: file.type, data }))
        return;
      showError("");
      addLine({
        id: `local-${clientId}`,
        from: "visitor",
        author: words.you,
        text: `📎 ${file.name}`,
        clientId,
      });
    });
    reader.readAsDataURL(file);
  });

  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
  // A running chat comes back after a reload: connect at once to show its history.
  if (localStorage.getItem(storageKey)) openPanel();
})();
