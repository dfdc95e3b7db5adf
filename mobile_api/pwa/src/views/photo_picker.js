// The 拍照 control: opens the phone camera, keeps each photo in IndexedDB at once, shows thumbnails.
import { StorageFullError } from "../db.js";
import { keepPhoto, photoURL } from "../photos.js";
import { field, h, toast } from "../ui.js";

// ``onChange()``: called after a photo is added or removed (the form keeps its draft).
export function photoPicker(initial = [], onChange = () => {}) {
  const hashes = [...initial];
  const strip = h("ul", { class: "photo-strip", "aria-label": "已拍的照片" });
  const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true, class: "camera-input" });

  async function redraw() {
    strip.replaceChildren(
      ...(await Promise.all(
        hashes.map(async (hash, index) => {
          const url = await photoURL(hash);
          return h(
            "li",
            {},
            url ? h("img", { src: url, alt: `已选照片 ${index + 1}` }) : h("span", { class: "missing" }, "照片待上传"),
            h("button", { type: "button", class: "quiet small", onclick: () => remove(hash) }, `移除第 ${index + 1} 张`),
          );
        }),
      )),
    );
  }

  function remove(hash) {
    hashes.splice(hashes.indexOf(hash), 1);
    redraw();
    onChange();
  }

  input.addEventListener("change", async () => {
    for (const file of input.files) {
      try {
        const hash = await keepPhoto(file);
        if (!hashes.includes(hash)) hashes.push(hash);
      } catch (error) {
        toast(error instanceof StorageFullError ? error.message : `照片未能保存：${error.message}`, "error");
      }
    }
    input.value = "";
    await redraw();
    onChange();
  });

  redraw();
  return { element: h("div", { class: "photos" }, field("拍照", input, "可拍多张；照片先存在手机上，联网后自动上传"), strip), hashes: () => [...hashes] };
}
