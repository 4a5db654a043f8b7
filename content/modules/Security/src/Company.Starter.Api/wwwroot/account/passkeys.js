// The browser half of the passkey ceremonies. The server keeps each ceremony's challenge; the browser asks the
// authenticator and sends back its answer. Tokens live in HttpOnly cookies this script cannot read.
const api = "/api/auth";
const $ = (id) => document.getElementById(id);

function show(message, isError = false) {
  $("status").textContent = message;
  $("status").className = isError ? "error" : "";
}

async function call(path, body, method = "POST") {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(json?.title ? `${json.title} ${json.detail ?? ""}`.trim() : `HTTP ${response.status}`);
  }
  return json;
}

async function signUp(email) {
  const options = await call(`${api}/passkeys/creation-options`, { email });
  const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  await call(`${api}/passkeys/register`, credential.toJSON());
}

async function addPasskey() {
  const options = await call(`${api}/passkeys/creation-options`, {});
  const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  await call(`${api}/passkeys/register`, credential.toJSON());
}

async function signIn() {
  // No email: a discoverable credential lets the authenticator offer the accounts it holds for this site.
  const options = await call(`${api}/passkeys/request-options`, {});
  const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
  await call(`${api}/passkeys/login?useCookies=true`, credential.toJSON());
}

async function refreshView() {
  let me = null;
  try {
    me = (await call(`${api}/me`, undefined, "GET")).data;
  } catch {
    // Signed out, or the access token expired: try the refresh cookie once.
    try {
      await call(`${api}/refresh?useCookies=true`, {});
      me = (await call(`${api}/me`, undefined, "GET")).data;
    } catch {
      me = null;
    }
  }

  $("signed-out").hidden = me !== null;
  $("signed-in").hidden = me === null;
  if (!me) {
    return;
  }

  $("user-name").textContent = me.email ?? me.id;
  const passkeys = (await call(`${api}/passkeys/`, undefined, "GET")).data;
  const list = $("passkeys");
  list.replaceChildren(...passkeys.map((passkey) => {
    const item = document.createElement("li");
    item.dataset.id = passkey.id;
    item.textContent = `${passkey.name ?? "Passkey"} (added ${new Date(passkey.createdAt).toLocaleDateString()})`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => run(async () => {
      await call(`${api}/passkeys/${encodeURIComponent(passkey.id)}`, undefined, "DELETE");
      await refreshView();
    }));
    item.append(remove);
    return item;
  }));

  const antiforgery = (await call(`${api}/antiforgery`, undefined, "GET")).data;
  const form = $("sign-out");
  let field = form.querySelector(`input[name="${antiforgery.formFieldName}"]`);
  if (!field) {
    field = Object.assign(document.createElement("input"), { type: "hidden", name: antiforgery.formFieldName });
    form.prepend(field);
  }
  field.value = antiforgery.requestToken;
}

async function run(action, done) {
  try {
    await action();
    if (done) show(done);
  } catch (error) {
    show(error.message, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  if (!window.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    show("This browser does not support passkeys.", true);
  }

  $("sign-up").addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => { await signUp($("email").value); await refreshView(); }, "Account created and signed in.");
  });
  $("sign-in").addEventListener("click", () => run(async () => { await signIn(); await refreshView(); }, "Signed in."));
  $("add-passkey").addEventListener("click", () => run(async () => { await addPasskey(); await refreshView(); }, "Passkey added."));
  run(refreshView);
});
