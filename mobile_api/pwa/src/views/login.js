// 登录: the token is kept on the phone, so the app opens signed in offline.
import { ApiError, OfflineError, request } from "../api.js";
import { saveLogin, session } from "../session.js";
import { field, h } from "../ui.js";

// ``note``: what the screen says of an expired login (the 重新登录 dialog over a form says its own).
export function renderLogin({ onLoggedIn, note = "登录已过期，请重新登录。未同步的内容仍保留在本机，登录后继续同步。" }) {
  const previous = session()?.user;
  const username = h("input", { name: "username", autocomplete: "username", required: true, value: previous?.username || "" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, "登录");

  async function onSubmit(event) {
    event.preventDefault();
    message.textContent = "";
    if (!username.value.trim() || !password.value) {
      message.textContent = "请输入用户名和密码";
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    try {
      const response = await request("/api/v1/auth/login", {
        method: "POST",
        json: { username: username.value.trim(), password: password.value },
        auth: false,
      });
      await saveLogin(await response.json());
      await onLoggedIn();
    } catch (error) {
      if (error instanceof OfflineError) message.textContent = "登录需要联网，请连接网络后重试";
      else if (error instanceof ApiError && error.status === 401) message.textContent = "用户名或密码错误";
      else if (error instanceof ApiError && error.status === 429) message.textContent = "尝试次数过多，请稍后再试";
      else message.textContent = `登录失败：${error.message}`;
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    "section",
    { class: "screen login", "data-screen": "login" },
    h("h1", {}, "园安 · 隐患排查治理"),
    previous ? h("p", { class: "hint" }, note) : null,
    h("form", { onsubmit: onSubmit, novalidate: true }, field("用户名", username), field("密码", password), message, submit),
  );
}
