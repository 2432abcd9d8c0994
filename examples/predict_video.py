"""Predicting the expressions in a video.

Writes a short clip (scikit-image's astronaut photograph drifting across the frame,
so that no download is needed), then finds the face in every frame, follows it as a
track and labels it with the packaged CNN; each track gets a plot of its scores over
time. With your own clip: ``predict("holiday.mp4", out_dir=...)``.
"""

from pathlib import Path

import cv2
import numpy as np
import skimage.data

from fer_classic.predict import predict

photo = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
height, width = photo.shape[:2]
clip = Path("example-clip.mp4")
writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (width, height))
for frame in range(12):
    drift = np.float32([[1, 0, 2 * frame], [0, 1, frame]])
    writer.write(cv2.warpAffine(photo, drift, (width, height), borderMode=cv2.BORDER_REPLICATE))
writer.release()

result = predict(clip, out_dir="example-predictions", annotate=True)
print(f"model: {result.model['name']}")
for track in result.tracks:
    print(
        f"track {track['track']}: frames {track['first_frame']}-{track['last_frame']}, "
        f"{track['faces']} faces, mostly {track['label']} ({track['label_counts']})"
    )
print("files:", ", ".join(result.files))
