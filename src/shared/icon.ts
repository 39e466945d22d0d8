/**
 * The server's icon: four tiles for the Microsoft 365 workloads, one of them
 * the round plug an MCP client connects to. One drawing (ICON_SVG); the PNGs
 * are it rendered by Chromium at 32 and 128 px (test/browser/icons.test.ts
 * checks that they still match it and prints fresh ones when they do not).
 * Pages link it, /favicon.ico serves it, and MCP clients get it in serverInfo.
 */

export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0f6cbd"/><rect x="13" y="13" width="17" height="17" rx="3" fill="#fff"/><rect x="34" y="13" width="17" height="17" rx="3" fill="#fff" fill-opacity=".7"/><rect x="13" y="34" width="17" height="17" rx="3" fill="#fff" fill-opacity=".7"/><circle cx="42.5" cy="42.5" r="8.5" fill="#fff"/></svg>';

export const ICON_PNG_32_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAACuElEQVR4nOyXXUhTUQDH/+fuztyyfamJJa3yI4IcEoSjkFIJqaSgpx6iJOqh8CEfo6eohx6CfEjyIaKXIAiKQErJj8KCSAnTSqMwRZuz1Vzbau3zdM4N59zunSRu98Xf07nnf+7+/51z7vkQkcj5PpMhHG0BIXZQWkUIWY8VgFL6jf3mECu88mo119Fa65nXyHzB0NxzgDW9RUA2IINQUAezPe29Uf8kHsDQ3NtAQDuRRShwkIcgxrP9ZqoJvmf/vBhZROoJrb5SoELoZLbNOdJQhwInBBBqh1owb5FQNuOJvF6/3YJdW4wp9b5ABPcGnPjhD0vPhlwNairM0OVoUtp+nv2NoSkf5P2JXWTmVjnxkK0Ad8/YoMSx6mLUXH0tlS82lsKan6vY9lrXBAYnvDIJYBWUXqosWYd0VG7Mi5fTmXM2F+gUNQEqsxpgNYBigI63Lnz1BGW1YCSGOy8d8efuD26Eo1S2LV8rBr78hBLE2NxDoSKqD4GoJFjWatGy34ryIn2KFgjFcH/Qiccj3+N1Jp2IK0fLsW+bRXp3bMaPyx3j6BtzIx2KPVDH9gE5c44uR8DhqoXDkn2rES8uVOO4vRgl5jXQM32n1YAH56pw6UgZRIHgvwMshUm/0HkNOwok42QI8+WhjHpx5QMk0mgrVNTy87TYW2FBRgNsWmIzspXkIaMBRqb9afX+T3PIaIDWp5OK2ptJL55/XEYAx1wQ6XAkrJIdwy7cfDaV0sbDTk5Nt98hElNe6wi7DzjZZC1KFnJEgj1lZmkSJRNhy+7wtA/jrsCi+tJCHXaXmaR1YHTmF3pH3WnNmTLLAnR3shNqA1SAHc27BHYwHIJKcG8hGBXaWdmD7OPh3sKf9toJNkynkGVilDRxb+kr8LXVP+R3tX8Xx8zCPbiXr63uEX9evEuocD3/CwAA//8UtigjAAAABklEQVQDAFzc7RqlmGP7AAAAAElFTkSuQmCC";

export const ICON_PNG_128_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAIAAAACACAYAAADDPmHLAAAJ3UlEQVR4nOydCXBTxxnH//skGWxsyQQ7NgVairmDCSHQSQIxYEzjQtqQNEzSMp3mKEzBThg6pfU0TeO2yZC00zKUIx1ogZBJc5RJaKfkGCRTqEtoIAnBDOYIKS2nueULbFna7JqAQVjYsqRdSfv9ZuDpSfveftL3977v7fE9O2JARummoeD8m4zxAQw8l3PkMCBHfJQLxtJAhIbzRvH/CQ7UMLATnKGGc/aZZfE3vUsmH0SUYYgS0ukMgYfFN5ghDB8OIvpwvhOw3oDF34iWGCIWQEaJ534LKBdnGglCGRx8h2glnqtbWrQeEdBlAaQ/UTHBxgOLxCluA6ENKQQ/t8oalhV60AXCFkCPuZtG2S2/dPxEEHEEd8NvlXlfLPwwnKOscAo7Szw/t7HAR+T8eIQVcYtvd5V6ngrrqE6Vmr811dncuJIxNhNE3MM5f6U2JW0WFt11oaOyHQogbfaW3o6U5g10rU80+Me+5pRpjSsKjt+o1A0FkFHivpMxrBO3dV8CkXCIAPGYP2Cb1rB80s5QZULHAI9s6i4+XE7OT1yk70TAvkr6MlSZkAJwpQfWil67USASHHabM92/JtSn7QpARJJlYjMDRFIgWoKHvvBpO58FkT538zCL+apExG8DkTSIOwN/gDvy65dPqL76/etaAMvyLSLnJx/Sp9K3we9fI4CMUvd00VzcAyIpkb51znUXX/1emwBm7E4RO4tBJDcWfodybrXtfoErp+ZHQiNfBpHUyKF656mKJ9v2BRmzN2VZjsBnYi8DhAHw2kCzLa9uxaTTrS0As/vHkPNNgjl5SssI+erSJcBixSCMwsatVp9fEgAHCcAwODBdbpmcy2chUA3COAKwhtmF86eDMBLpe0sMGdKAj6FI39vFNhOEqWTaRcdALggz4SzTLqLB3KitDukkD43NxbRbszG2vxO9Xd0QC457m7D9UC02fHIKr28/ga5w96CeGCNsHJSThpt6OBALzjb4cKCmETuErf86cA4qYdL3zlL3RdEKxMYLQfTr2Q2LvzMUhcN6QSUV1Wcw79W9OHyuqVPlszNSMKugL0b2TYdKdh2px8otR3CqrhkqEDFAk6XK+ZKVj9yi3PkSWeeK79/S6fKlhf2UO18i65R1q0L6Pqx1AZEw847euGOAvnjzzrzMVhs6YuKQnhiS2wO6kHVLG1ShTAAPjM6BbjpjgxSKblTaYIci8jU0qV2x4Su9UqEblTYoE8DNIrDSTWdsyExT9pPEhQ3KLgFEfEICMBwSgOGQAAyHBGA4JADDIQEYDgnAcEgAhkMCMBwSgOGQAAyHBGA4JADDIQEYDgnAcEgAhkMCMBwSgOGQAAyHBGA4ygRwUtFyp0htON/YAt2otEGZAKqO1EM3nbHhf2c6fMZCzFFpgzIBrKo8At10xoaNe85ANyptUCaADbtOw1N9FrqQ9ct/HSGXaX9yuA66kEvapQ2qUBoElq3bjyZfAKqpb2rBgr/u63T5tVuPwefnUM1F8dusqTwKlTBXqUf5N6UEEW3oTBAh0SIAIn6gfgDDIQEYDgnAcEgAhkMCMBwSgOGQAAxHS0KcZOlgkbZ/Iz8L94zIQv9eqeiV7rjyfWT9Z+p9OCQGdt6tOo23q07FxUhjMEo7gpIlA+f4QZmYP6U/Jg+7KazjKsRYyO83HkLlgfOIF5QK4Jf35WlLwrjvRAOe+dtBRIJstcq/lScEEFkix0rRIpX//aDSQZ9QKIsBEj0D571i7OLteaMjdr5EnmPDk6Nx36hs6EaZABI5A+esgj54+fERSLFH7+fq5rCw5rERmDOxL3SiTACJmoFzzsR++O2MIfLZu4g28pwLvz0Yj47vA10oE0AiZuCUl4zn7h+IWPObBwehKMyAMlpQP0AIBmSnYu3j+bCs2D9Ow2Gz8OdHR2DgzWlQDQkgBH/47jA4U9W1Wi5R1wsPDoZqSADtIG/3xg9UH7QWDu2JUf3UPsGXBNAOspNHBzIoXFD8VaiEBBBERncbpgzXE5BJZN1OYYMqSABBTBmeFdX7/XCRdd89OAkfGZMo3HtrFnRTpPDBWvpvzuOMQTn6uqsvk99XXSBIAggixxkHj7ZRaAMJIAhXqv6fRKUIKQYI4qKGpWs6bSABBHGyNg7yGCi0gQQQRE0cJLJQaQMJIIiqI/qWhuuwgQQQhDsOEkS4kzFBRKIgZxA3aQwEvRdasGW/umXiJIAgmls4Kj/VN2tXzhhWmZyCBNAOT791ADrwBzie/UdkM5fDhQTQDnuON+DNj2qgGpnJpFrUrRISQAh+um4//n/2IlRxWNT1i/WfQjUkgBCcqvPhe3+qEtfj2AeEso6ZK3fhdL0PqlEmgETMwCnTxf1kXezjAVnHLk2JNJUJIFEzcK6uPIr5r+1tDdCijTznE3+pbq1DF8oEkMgZOFf/+xgeWL4TtRei14rJ1cPTl+7Ey+8fh06UCSDRM3Bu3ncOo3/1Pl7aegyRNAbyWOn0sc9u05IXMBgLnHuhiETPwCmDtHmv7kXBCx90qbtWHjNu4X9am/0zGgK+6xC+Z84Sz17GMAQKSZYEEXKp2dT8bBTn3zhBxHu7T7dmLD1/Ib4SRHCOfTI/wD/F6wkgTGSzxcG7lkiXSHik7+0AIwEYCzth8QB2gjAS6XurJYCNIhigjOGGIX3ub3G8Z1344+Sj4i5gFwjT+KBxRcHxSx1BHO+CMAt2yeetAuCWtR6EWTCrVQBX8p+4StznwZgLRPIjegC9y4paM2C0jQUw9jwIM7jK11cE4GVNi8StgPp5UIRSOOcnpa8v77e1AEumNonrQTmIpIYx9oz09eX9a4aDvVmFK4RG/gsiWdl9ycdtXDsfoJwFRAfBz0AkJQHwp6WPr37vugkhtcuKXhOb1SCSCnHtf6luadF1t/vtzgjyZlmzRUuwEUSSwN212bYftPdJ6Dyoj1VmuFKbKkWJkSASGF7lbew+DqvGtzsfL/ScQHFAsx9TxSv9z30nugbHUR8CxaGcL7nhpFA5UORrdnxNnOljEAmFGOzb1sKtMY1Lv37sRuU6nBUsR4y8jrRxIoh4BURCIJz/em1zZkHD8kkdTvYJKxe6q9TzlAgOfy2Gj2OfQ50IG/FH6heDPAtqlxYu6uwxYTvSNafidtgCoi+ZFYGII7gbfqvM+2Lhh+Ec1eW/5B4lFZNtLPC8aAzGgNCGaO53+LlV1rCs0IMuEHFT7ixxPyxE8GNxpttBKEM099s52MK6ZZPfQgRE7Vqe+kNPH7udF1tg4taRi8sDc4KIHhznxGitnL/5TsDB32lYXBSVkduYBXMZcz13iXuMIaKCPGF8HhgfyDgTW6jLhZ6ISEczLvPEHBTOFlvrILPYntolk7YhBnwOAAD//xVCW98AAAAGSURBVAMA/O6BLMnu+jIAAAAASUVORK5CYII=";

function base64Bytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** A Windows icon file holding PNG images (allowed since Windows Vista; every browser reads it). */
export function icoFile(pngs: readonly { size: number; base64: string }[]): Uint8Array {
  const images = pngs.map((png) => ({ size: png.size, bytes: base64Bytes(png.base64) }));
  const headerBytes = 6 + 16 * images.length;
  const file = new Uint8Array(headerBytes + images.reduce((total, image) => total + image.bytes.length, 0));
  const view = new DataView(file.buffer);
  view.setUint16(2, 1, true); // type: icon
  view.setUint16(4, images.length, true);
  let offset = headerBytes;
  images.forEach((image, index) => {
    const entry = 6 + 16 * index;
    view.setUint8(entry, image.size % 256); // 0 means 256
    view.setUint8(entry + 1, image.size % 256);
    view.setUint16(entry + 4, 1, true); // colour planes
    view.setUint16(entry + 6, 32, true); // bits per pixel
    view.setUint32(entry + 8, image.bytes.length, true);
    view.setUint32(entry + 12, offset, true);
    file.set(image.bytes, offset);
    offset += image.bytes.length;
  });
  return file;
}

export const FAVICON_ICO = icoFile([{ size: 32, base64: ICON_PNG_32_BASE64 }]);
export const ICON_PNG_128 = base64Bytes(ICON_PNG_128_BASE64);

/**
 * MCP `icons` (Implementation.icons, protocol 2025-11-25) as data URIs: the
 * server answers on more than one origin, and a data URI needs none, nor a
 * fetch the client would have to trust. PNG first: clients must support it,
 * SVG only should.
 */
export const MCP_ICONS = [
  { src: `data:image/png;base64,${ICON_PNG_128_BASE64}`, mimeType: "image/png", sizes: ["128x128"] },
  { src: `data:image/svg+xml;base64,${btoa(ICON_SVG)}`, mimeType: "image/svg+xml", sizes: ["any"] },
];
