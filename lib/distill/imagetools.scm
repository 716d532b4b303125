;;; (distill imagetools): the programs that make disk images, until the
;;; distribution builds its own.  A second pinned set of Debian 12 (amd64)
;;; packages, like the seed (docs/images.md says why each is here):
;;; e2fsprogs (mke2fs, debugfs), squashfs-tools-ng (tar2sqfs), dosfstools
;;; (mkfs.vfat), mtools (mmd, mcopy), fdisk (sfdisk), qemu-utils (qemu-img),
;;; libarchive-tools (bsdtar: tar, cpio and mtree) and the libraries they
;;; run with, plus busybox and glibc from the seed.  image-tools-plan merges
;;; them into one tree (busybox as /bin/sh and every applet nothing else
;;; provides), used at "/" by the image plans of (distill image).
;;;
;;; Each package becomes an artifact through (distill seed)'s seed-deb
;;; parameter, so the .deb files come from seed/debs (scripts/fetch-seed,
;;; seed/SHA256SUMS) or from whatever a fetcher puts in its place.
(define-module (distill imagetools)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:export (image-tool-packages image-tool-seed-packages
            image-tool-artifacts image-tools-plan))

(define image-tool-seed-packages
  ;; The packages of the seed the image tools run with, by name.
  '("busybox-static" "libc6" "libgcc-s1" "zlib1g" "libzstd1" "libgmp10"
    ;; objcopy, for unified kernel images
    "binutils" "binutils-x86-64-linux-gnu" "libbinutils" "libctf0"
    "libctf-nobfd0" "libjansson4"))

(define image-tool-packages
  ;; (name version sha256 file), as seed-packages: the packages the image
  ;; tools add to the seed's, pinned by the sha256 of Debian's signed index.
  ;; Kept in step with seed/SHA256SUMS (t/seed.t checks).
  '(("e2fsprogs" "1.47.0-2+b2"
     "fedd424691c08ef0739729026be298e7be8236337bf8e031b3c7ec66794e6fc2"
     "e2fsprogs_1.47.0-2+b2_amd64.deb")
    ("libext2fs2" "1.47.0-2+b2"
     "dff731f2318df99da4b8bf5f330f415f95b94c609bac29e7b2edba0a38f22a98"
     "libext2fs2_1.47.0-2+b2_amd64.deb")
    ("libss2" "1.47.0-2+b2"
     "24115749c09b4e259acff1f799faccd1748ff322bd638b09d820729cb3b24579"
     "libss2_1.47.0-2+b2_amd64.deb")
    ("libcom-err2" "1.47.0-2+b2"
     "a2bac7015e78fbc0c504df3e441f3a22292f1d2d77f9ccda760057f3690e22f2"
     "libcom-err2_1.47.0-2+b2_amd64.deb")
    ("libblkid1" "2.38.1-5+deb12u3"
     "5a083377f29191cafcdf0f91ec124349b4a7895b531556633a136e43c6d53943"
     "libblkid1_2.38.1-5+deb12u3_amd64.deb")
    ("libuuid1" "2.38.1-5+deb12u3"
     "5fff398321da62d28a842bcbabd193d72ae21724962c029dc32b1dc6b2deaeaf"
     "libuuid1_2.38.1-5+deb12u3_amd64.deb")
    ("squashfs-tools-ng" "1.2.0-1"
     "4edcbc605bcede24b2c113048692f303dd127c7a3e9cf4da3533a1d5ce8353d1"
     "squashfs-tools-ng_1.2.0-1_amd64.deb")
    ("libsquashfs1" "1.2.0-1"
     "7bf3ef5208bc88f2b6f380c5d8b631496e4da4037ddc6d2867ad81b4a7e2fa9d"
     "libsquashfs1_1.2.0-1_amd64.deb")
    ("liblz4-1" "1.9.4-1"
     "64cde86cef1deaf828bd60297839b59710b5cd8dc50efd4f12643caaee9389d3"
     "liblz4-1_1.9.4-1_amd64.deb")
    ("liblzma5" "5.4.1-1+deb12u2"
     "3d8c29c8c21ec6007635e1b2591edf98b771c9572a085968f47452b33040f384"
     "liblzma5_5.4.1-1+deb12u2_amd64.deb")
    ("liblzo2-2" "2.10-2"
     "4f08e092c76e425295a498cd547dc9b8f6a595473f3020ab8c96309b29872636"
     "liblzo2-2_2.10-2_amd64.deb")
    ("libselinux1" "3.4-1+b6"
     "2b07f5287b9105f40158b56e4d70cc1652dac56a408f3507b4ab3d061eed425f"
     "libselinux1_3.4-1+b6_amd64.deb")
    ("libpcre2-8-0" "10.42-1+deb12u2"
     "d2f7edfcc7689b9e0761c2742cc824ac86a20768bc5e8057818dc6875291fe76"
     "libpcre2-8-0_10.42-1+deb12u2_amd64.deb")
    ("dosfstools" "4.2-1"
     "71b0471242f7bb777264cdab55c141f1fc043b443105633a38708e125f90c4ea"
     "dosfstools_4.2-1_amd64.deb")
    ("mtools" "4.0.33-1+really4.0.32-1"
     "972e0857ff43dbfc4c9255844c97b5d2cb0287720216d04c95b4e7fa483aec99"
     "mtools_4.0.33-1+really4.0.32-1_amd64.deb")
    ("fdisk" "2.38.1-5+deb12u3"
     "a7bf5a6fee968c3bebeb37b13396ed195c59459e4631271bb3acac0d9cf42491"
     "fdisk_2.38.1-5+deb12u3_amd64.deb")
    ("libfdisk1" "2.38.1-5+deb12u3"
     "8af145cff6ca72529f63e0bf6d9c68c8512387e67f64e66d00e36f72bed99160"
     "libfdisk1_2.38.1-5+deb12u3_amd64.deb")
    ("libsmartcols1" "2.38.1-5+deb12u3"
     "84088c6895fc07538fc51624899f3f71835188e0d38ebc3812097ac13da523b0"
     "libsmartcols1_2.38.1-5+deb12u3_amd64.deb")
    ("libreadline8" "8.2-1.3"
     "e02ebbd3701cf468dbf98d6d917fbe0325e881f07fe8b316150c8d2a64486e66"
     "libreadline8_8.2-1.3_amd64.deb")
    ("libtinfo6" "6.4-4"
     "072d908f38f51090ca28ca5afa3b46b2957dc61fe35094c0b851426859a49a51"
     "libtinfo6_6.4-4_amd64.deb")
    ("qemu-utils" "1:7.2+dfsg-7+deb12u18+b3"
     "53adfeadecfacde490131beda1c0f2ddedba2f94ed2e44867eac061af2fbfe32"
     "qemu-utils_1%3a7.2+dfsg-7+deb12u18+b3_amd64.deb")
    ("libaio1" "0.3.113-4"
     "d1476e4beab3d85f8a7d31de94c27472711ed3ef399ce70708e24b259426125b"
     "libaio1_0.3.113-4_amd64.deb")
    ("libglib2.0-0" "2.74.6-2+deb12u9"
     "7ff85197685d89e150e342b29a59aab1beee400050ba7da73de81cd999ffee5a"
     "libglib2.0-0_2.74.6-2+deb12u9_amd64.deb")
    ("libgnutls30" "3.7.9-2+deb12u7"
     "30abec8c824feb1d2d7e9000a34083cccd19d139625e1b21547e3ac53b922f8e"
     "libgnutls30_3.7.9-2+deb12u7_amd64.deb")
    ("libhogweed6" "3.8.1-2"
     "ed8185c28b2cb519744a5a462dcd720d3b332c9b88a1d0002eac06dc8550cb94"
     "libhogweed6_3.8.1-2_amd64.deb")
    ("libnettle8" "3.8.1-2"
     "45922e6e289ffd92f0f92d2bb9159e84236ff202d552a461bf10e5335b3f0261"
     "libnettle8_3.8.1-2_amd64.deb")
    ("libnuma1" "2.0.16-1"
     "639e1ab6bd66ead40db8a22c332d7199679fa22db261cac34444eb8eb4c17dda"
     "libnuma1_2.0.16-1_amd64.deb")
    ("liburing2" "2.3-3"
     "c23077e3640e6cb4b819c134b3f41d5cf21b3edac099654b1b4142c3069a39a3"
     "liburing2_2.3-3_amd64.deb")
    ("libffi8" "3.4.4-1"
     "6d9f6c25c30efccce6d4bceaa48ea86c329a3432abb360a141f76ac223a4c34a"
     "libffi8_3.4.4-1_amd64.deb")
    ("libidn2-0" "2.3.3-1+b1"
     "d50716d5824083d667427817d506b45d3f59dc77e1ca52de000f3f62d4918afa"
     "libidn2-0_2.3.3-1+b1_amd64.deb")
    ("libunistring2" "1.0-2"
     "d466bbfe011d764d793c1d9d777cad9c7cf65b938e11598f27408171ad95a951"
     "libunistring2_1.0-2_amd64.deb")
    ("libp11-kit0" "0.24.1-2"
     "251330faddbf013f060fcdb41f4b0c037c8a6e89ba7c09b04bfcc4e3f0807b22"
     "libp11-kit0_0.24.1-2_amd64.deb")
    ("libtasn1-6" "4.19.0-2+deb12u1"
     "2c27c613b69be248d09432839ea3d3382f6ee27fabaa65987aa2d884cd00afda"
     "libtasn1-6_4.19.0-2+deb12u1_amd64.deb")
    ("libarchive-tools" "3.6.2-1+deb12u5"
     "c2b48182c0544e8234557c5c202c3dce898dacee535342e4875e68d72cad948a"
     "libarchive-tools_3.6.2-1+deb12u5_amd64.deb")
    ("libarchive13" "3.6.2-1+deb12u5"
     "45419b8c7646c1af12783ae31906ce2da4c465c1a948b01f8f44152d8269f403"
     "libarchive13_3.6.2-1+deb12u5_amd64.deb")
    ("libacl1" "2.3.1-3"
     "8be9df5795114bfe90e2be3d208ef47a5edd3fc7b3e20d387a597486d444e5e2"
     "libacl1_2.3.1-3_amd64.deb")
    ("libbz2-1.0" "1.0.8-5+b1"
     "54149da3f44b22d523b26b692033b84503d822cc5122fed606ea69cc83ca5aeb"
     "libbz2-1.0_1.0.8-5+b1_amd64.deb")
    ("libxml2" "2.9.14+dfsg-1.3~deb12u6"
     "4460e39dda10a815881374217cde08474747cfa018358cd8612c14b390eff53b"
     "libxml2_2.9.14+dfsg-1.3~deb12u6_amd64.deb")
    ("libicu72" "72.1-3+deb12u1"
     "f7f6f99c6d7b025914df2447fc93e11d22c44c0c8bdd8b6f36691c9e7ddcef88"
     "libicu72_72.1-3+deb12u1_amd64.deb")
    ("libstdc++6" "12.2.0-14+deb12u1"
     "5cd3171216d4ab0fc911cfe9c35509bf2dd8f47761c43b7f6a4296701551a24d"
     "libstdc++6_12.2.0-14+deb12u1_amd64.deb")
    ;; Boot loaders: grub-mkimage and GRUB's i386-pc modules and boot.img
    ;; (BIOS), systemd's EFI stub (unified kernel images).
    ("grub-common" "2.06-13+deb12u2"
     "fa2a91e48bb85effb1d9e22e16d83774e6de0ae6167268e8150e76ae963ec671"
     "grub-common_2.06-13+deb12u2_amd64.deb")
    ("grub-pc-bin" "2.06-13+deb12u2"
     "db6aced5a89f02e10e150140b4df9621196f311c26203baf8558b4c6808e1298"
     "grub-pc-bin_2.06-13+deb12u2_amd64.deb")
    ("libdevmapper1.02.1" "2:1.02.185-2"
     "aaa78ca236055fedccf637eacf7bda02bf1980b2db668dccd202b04d0d2cfe04"
     "libdevmapper1.02.1_1.02.185-2_amd64.deb")
    ("libudev1" "252.39-1~deb12u2"
     "6f7e08f11c4809d2e5998c775f7b423ab5ec2ce0309494b4a2615037052245e2"
     "libudev1_252.39-1~deb12u2_amd64.deb")
    ("systemd-boot-efi" "252.39-1~deb12u2"
     "8f2b81bdcfafc466882a0cae460272dbf10d8d97c6a3c1c6ea33038c155a2f5e"
     "systemd-boot-efi_252.39-1~deb12u2_amd64.deb")))

(define image-tool-debs
  (pinned-debs (append (filter (lambda (p) (member (car p) image-tool-seed-packages))
                               seed-packages)
                       image-tool-packages)))

(define (image-tool-artifacts)
  "Every package of the image tools, as artifacts made by seed-deb."
  (image-tool-debs))

(define* (image-tools-plan #:key (name "image-tools"))
  "The plan whose output is the image tools' tree, to be used at \"/\" by
plans whose /build is a shell script."
  (debs-plan name
             "$bb rm -rf usr/share/man usr/share/info usr/share/lintian \\
	usr/share/bug usr/share/locale usr/share/bash-completion
$bb mkdir -p bin sbin usr/bin usr/sbin lib64
[ -e lib64/ld-linux-x86-64.so.2 ] ||
	$bb ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2
$bb ln -s busybox bin/sh
"
             "# Every busybox applet at its usual place, unless a package provides it
# (e2fsprogs' mkfs.ext2 and fdisk's fdisk win over busybox's).
"
             (image-tool-artifacts)))
