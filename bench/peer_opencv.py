#!/usr/bin/python3
"""The peer a Python integrator would pick: OpenCV VideoCapture + OpenCV DNN running the same
scene model (YOLOX-Nano) on the same clip, sequentially, as fast as possible.

Run with Debian's python3 (python3-opencv): /usr/bin/python3 bench/peer_opencv.py CLIP MODEL [--frames N]
Prints one JSON line: frames, seconds, fps, and the split between decode and the model.
"""
import argparse
import json
import time

import cv2
import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)


def letterbox_top_left(frame):
    h, w = frame.shape[:2]
    r = min(SIZE / h, SIZE / w)
    resized = cv2.resize(frame, (int(w * r), int(h * r)), interpolation=cv2.INTER_LINEAR)
    out = np.full((SIZE, SIZE, 3), 114, dtype=np.uint8)
    out[: resized.shape[0], : resized.shape[1]] = resized
    return out, r


def grids():
    g, s = [], []
    for stride in STRIDES:
        n = SIZE // stride
        yv, xv = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        g.append(np.stack((xv, yv), 2).reshape(-1, 2))
        s.append(np.full((n * n, 1), stride))
    return np.concatenate(g).astype(np.float32), np.concatenate(s).astype(np.float32)


def decode(out, r, grid, stride, conf=0.3, nms=0.45):
    out = out.reshape(-1, 85)
    xy = (out[:, :2] + grid) * stride
    wh = np.exp(out[:, 2:4]) * stride
    scores = out[:, 4:5] * out[:, 5:]
    cls = scores.argmax(1)
    score = scores.max(1)
    keep = score >= conf
    boxes = np.concatenate((xy - wh / 2, wh), 1)[keep] / r
    kept = 0
    for c in np.unique(cls[keep]):  # per-class NMS (OpenCV 4.6 has no NMSBoxesBatched)
        m = cls[keep] == c
        kept += len(cv2.dnn.NMSBoxes(boxes[m].tolist(), score[keep][m].tolist(), conf, nms))
    return kept


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clip")
    ap.add_argument("model")
    ap.add_argument("--frames", type=int, default=0, help="stop after N frames (0: whole clip)")
    ap.add_argument("--threads", type=int, default=-1, help="cv2.setNumThreads; -1 keeps OpenCV's default (all cores)")
    a = ap.parse_args()
    if a.threads >= 0:
        cv2.setNumThreads(a.threads)
    net = cv2.dnn.readNetFromONNX(a.model)
    grid, stride = grids()
    cap = cv2.VideoCapture(a.clip)
    frames = dets = 0
    t_decode = t_model = 0.0
    t0 = time.perf_counter()
    while True:
        t = time.perf_counter()
        ok, frame = cap.read()
        t_decode += time.perf_counter() - t
        if not ok:
            break
        t = time.perf_counter()
        img, r = letterbox_top_left(frame)
        blob = cv2.dnn.blobFromImage(img)  # BGR, raw 0-255, NCHW: what the model expects
        net.setInput(blob)
        out = net.forward()
        dets += decode(out, r, grid, stride)
        t_model += time.perf_counter() - t
        frames += 1
        if a.frames and frames >= a.frames:
            break
    secs = time.perf_counter() - t0
    print(json.dumps({"peer": "opencv-dnn", "opencv": cv2.__version__, "frames": frames, "seconds": round(secs, 3),
                      "fps": round(frames / secs, 2) if secs else 0, "decode_ms": round(1000 * t_decode / max(frames, 1), 2),
                      "model_ms": round(1000 * t_model / max(frames, 1), 2), "detections": dets}))


if __name__ == "__main__":
    main()
