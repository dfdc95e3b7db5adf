// The 拍照 control: opens the phone camera, keeps each photo in IndexedDB at once, shows thumbnails.
import { StorageFullError } from "../db.js";
import { keepPhoto, photoURL } from "../photos.js";
import { field, h, toast } from "../ui.js";

// The server takes up to 20 photos per record (backend/domain/sync/validation.py): a form refuses
// more when saved, or the record would be refused only after sync.
export const MAX_PHOTOS = 20;

// ``onChange()``: called after a photo is added or removed (the form keeps its draft). ``input``:
// the 拍照 control, which a form focuses when it refuses the photos.
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

  // The removed photo's button goes with it: the focus moves to the next photo's, else to 拍照,
  // rather than falling back to <body>.
  async function remove(hash) {
    const index = hashes.indexOf(hash);
    hashes.splice(index, 1);
    onChange();
    await redraw();
    (strip.querySelectorAll("button")[index] || input).focus();
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
  return { element: h("div", { class: "photos" }, field("拍照", input, "可拍多张；照片先存在手机上，联网后自动上传"), strip), input, hashes: () => [...hashes] };
}
