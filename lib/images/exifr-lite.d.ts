// exifr's lite build (JPEG/TIFF/HEIC EXIF, no fs/zlib probing): its main build logs "Couldn't load fs"
// when Next bundles it. Same API as the main entry.
declare module "exifr/dist/lite.esm.mjs" {
  import exifr from "exifr";
  export default exifr;
}
