"""Evidence files as residents send them, made at test time with Pillow, pillow-heif and pypdf.

Camera JPEGs of several megabytes with EXIF (make, model, serial number, owner, DateTimeOriginal,
a maker note), a GPS position, XMP, IPTC, a device ICC profile and a JPEG comment; HEIC photos with
EXIF and XMP; PNG screenshots with text chunks, eXIf and an ICC profile; multi-page PDFs with an
/Info dictionary, an XMP metadata stream and page images that carry EXIF. Every file plants the
strings in ``PLANTED``, so a test can search stored bytes for them; ``metadata_found`` lists what
metadata a stored file still carries (empty when it is clean).

    camera_jpeg(size_bytes=6 MB, dimensions=(4000, 3000), *, quality=92, exact=False, orientation=1)
    heic_photo(dimensions=(4032, 3024), *, quality=60, orientation=6)
    png_screenshot(dimensions=(1170, 2532))
    pdf_document(pages=6, page_size=(1654, 2339), *, quality=88)
    exact_size_pdf(size_bytes), small_pdf(), password_protected_pdf(), many_object_pdf(objects)
    picture_bytes(format, size=(4, 3)), jpeg_with_gps(), decompression_bomb(), PNG
    metadata_found(data) -> list[str]; PLANTED.strings() -> list[bytes]
    EvidenceFiles(folder).path(name) / .bytes(name), for the names in EvidenceFiles.KINDS

Every generator also takes ``seed`` and ``planted``. Making a 12-megapixel photo costs about a
second of CPU: use ``EvidenceFiles`` (the session fixture ``evidence_files`` in tests/conftest.py)
to make each file once per test run.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pikepdf
import pillow_heif
from pikepdf import Array, Dictionary, Name, String
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject

pillow_heif.register_heif_opener()

MB = 1024 * 1024
GPS_IFD = 0x8825
EXIF_IFD = 0x8769


@dataclass(frozen=True)
class Planted:
    """What the generated files say about the resident and their phone: none of it may be kept."""

    make: str = "Resident Phone Co"
    model: str = "RP-12 Pro Max"
    serial: str = "SN-4F7A19C2-9911"
    owner: str = "Sam Resident-Owner"
    software: str = "RPCamera 17.2.1"
    taken: str = "2026:11:28 22:41:07"
    latitude: float = 53.290612
    longitude: float = -1.418327
    comment: str = "Taken from the upstairs window of 14 Station Road"
    xmp_marker: str = "xmp-creator-Sam-Resident"
    iptc_byline: str = "IPTC Byline Sam Resident"
    icc_device: str = "RPco"
    author: str = "Sam Resident (PDF author)"
    title: str = "Noise diary for 14 Station Road"
    creator: str = "RP Scanner App 4.2"
    producer: str = "RP PDF Producer 9.1"
    address: str = "1 Victim Road"
    script: str = "planted-script-sends-the-officer-away"
    attachment: str = "planted attachment: Sam Resident's own notes"

    def strings(self) -> list[bytes]:
        """The planted words a stored file must not contain, as bytes."""
        words = [
            self.make,
            self.model,
            self.serial,
            self.owner,
            self.software,
            self.taken,
            self.comment,
            self.xmp_marker,
            self.iptc_byline,
            self.author,
            self.title,
            self.creator,
            self.producer,
            self.address,
            self.script,
            self.attachment,
        ]
        return [word.encode() for word in words]


PLANTED = Planted()


# --- Photographic content ------------------------------------------------------------------------


def _scene(size: tuple[int, int], seed: int) -> Image.Image:
    """Smooth light, edges and texture: the part of a photo that is not sensor noise."""
    rnd = random.Random(seed)
    width, height = size
    # Large areas of slowly changing colour (sky, walls, a road), from coarse noise enlarged.
    coarse = (max(width // 48, 2), max(height // 48, 2))
    channels = [Image.effect_noise(coarse, 70).resize(size, Image.Resampling.BICUBIC) for _ in "RGB"]
    scene = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(scene)
    # Edges: windows, cars, fences, people.
    for _ in range(120):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(width // 40, width // 6), rnd.randrange(height // 40, height // 5)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        shape = rnd.choice((draw.rectangle, draw.ellipse))
        shape((x, y, x + w, y + h), fill=colour, outline=(20, 20, 20), width=max(width // 800, 1))
    for _ in range(60):
        points = [(rnd.randrange(width), rnd.randrange(height)) for _ in range(2)]
        draw.line(points, fill=(rnd.randrange(256),) * 3, width=rnd.randrange(1, max(width // 400, 2)))
    scene = scene.filter(ImageFilter.GaussianBlur(1.2))
    texture = Image.effect_noise((width // 2, height // 2), 24).resize(size, Image.Resampling.BILINEAR)
    return ImageChops.add(scene, Image.merge("RGB", [texture] * 3), scale=1.0, offset=-128)


def _sensor_noise(size: tuple[int, int]) -> Image.Image:
    """Colour noise of a strong standard deviation (48), to be toned down by ``_with_grain``."""
    noise = Image.effect_noise(size, 48)
    turned = noise.transpose(Image.Transpose.ROTATE_180)
    return Image.merge("RGB", [noise, turned, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])


def _with_grain(scene: Image.Image, noise: Image.Image, grain: float) -> Image.Image:
    grey = Image.new("RGB", scene.size, (128, 128, 128))
    return ImageChops.add(scene, Image.blend(grey, noise, grain), scale=1.0, offset=-128)


def photo(size: tuple[int, int], seed: int = 1, grain: float = 0.3) -> Image.Image:
    """A picture that compresses like a photo; ``grain`` (0 to 1) is how noisy its sensor is."""
    return _with_grain(_scene(size, seed), _sensor_noise(size), grain)


# --- Metadata as phones and apps write it ------------------------------------------------------


def _rational(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def camera_exif(planted: Planted = PLANTED, orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: camera, owner, serial number, when, and where."""
    exif = Image.Exif()
    exif[0x010F] = planted.make
    exif[0x0110] = planted.model
    exif[0x0131] = planted.software
    exif[0x0132] = planted.taken
    exif[0x013B] = planted.owner  # Artist
    exif[0x0112] = orientation
    details = exif.get_ifd(EXIF_IFD)
    details[0x9003] = planted.taken  # DateTimeOriginal
    details[0x9004] = planted.taken  # DateTimeDigitized
    details[0xA430] = planted.owner  # CameraOwnerName
    details[0xA431] = planted.serial  # BodySerialNumber
    details[0xA434] = f"{planted.model} back camera 6.86mm f/1.78"  # LensModel
    details[0x927C] = b"Apple iOS\x00\x00\x01MM" + planted.serial.encode() * 8  # MakerNote
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N" if planted.latitude >= 0 else "S"
    gps[2] = _rational(planted.latitude)
    gps[3] = "E" if planted.longitude >= 0 else "W"
    gps[4] = _rational(planted.longitude)
    gps[6] = 152.4  # altitude
    return exif


def xmp_packet(planted: Planted = PLANTED) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<dc:creator><rdf:Seq><rdf:li>{planted.xmp_marker}</rdf:li></rdf:Seq></dc:creator>"
        f"<xmp:CreatorTool>{planted.software}</xmp:CreatorTool>"
        f"<exif:GPSLatitude>53,17.4367N</exif:GPSLatitude><exif:GPSLongitude>1,25.0996W</exif:GPSLongitude>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def device_icc_profile(planted: Planted = PLANTED) -> bytes:
    """An sRGB profile whose header names the device that made it, as phone profiles do."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[48:52] = planted.icc_device.encode()[:4].ljust(4)  # device manufacturer
    profile[52:56] = b"RP12"  # device model
    return bytes(profile)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def iptc_segment(planted: Planted = PLANTED) -> bytes:
    """A Photoshop APP13 segment holding IPTC IIM records: by-line and caption."""

    def record(dataset: int, value: str) -> bytes:
        data = value.encode()
        return struct.pack(">BBBH", 0x1C, 2, dataset, len(data)) + data

    iim = record(80, planted.iptc_byline) + record(120, planted.comment)
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    if len(iim) % 2:
        resource += b"\x00"
    return _segment(0xED, b"Photoshop 3.0\x00" + resource)


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The marker and payload of each segment before the picture data (start of scan)."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    found, position = [], 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError(f"no marker at {position}")
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        found.append((marker, data[position + 4 : position + 2 + length]))
        if marker == 0xDA:
            break
        position += 2 + length
    return found


def insert_jpeg_segments(data: bytes, segments: list[bytes]) -> bytes:
    """``data`` with ``segments`` (whole, with their markers) placed after its APPn segments."""
    position = 2
    while data[position] == 0xFF and 0xE0 <= data[position + 1] <= 0xEF:
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return data[:position] + b"".join(segments) + data[position:]


def pad_jpeg(data: bytes, size_bytes: int) -> bytes:
    """``data`` grown to exactly ``size_bytes`` with comment segments, as maker notes grow files."""
    missing = size_bytes - len(data)
    if missing < 0:
        raise ValueError(f"the JPEG is already {len(data)} bytes")
    padding = []
    while missing:
        if missing < 4:
            raise ValueError("cannot pad by fewer than 4 bytes")
        payload = min(missing - 4, 65533)
        if 0 < missing - 4 - payload < 4:
            payload -= 4
        padding.append(_segment(0xFE, b"P" * payload))
        missing -= payload + 4
    return insert_jpeg_segments(data, padding)


# --- Evidence files -------------------------------------------------------------------------------


def camera_jpeg(
    size_bytes: int = 6 * MB,
    dimensions: tuple[int, int] = (4000, 3000),
    *,
    quality: int = 92,
    exact: bool = False,
    orientation: int = 1,
    seed: int = 1,
    planted: Planted = PLANTED,
) -> bytes:
    """A camera photo of about ``size_bytes`` (exactly, with ``exact``), with all its metadata.

    The picture's grain is tuned until the encoded photo is within 10% under the target; ``exact``
    then pads it with comment segments to the byte.
    """
    extra = [
        _segment(0xE1, camera_exif(planted, orientation).tobytes()),
        _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(planted)),
        iptc_segment(planted),
        _segment(0xFE, planted.comment.encode()),
    ]
    scene, noise = _scene(dimensions, seed), _sensor_noise(dimensions)

    def encoded(grain: float) -> bytes:
        out = io.BytesIO()
        picture = _with_grain(scene, noise, grain)
        picture.save(out, format="JPEG", quality=quality, icc_profile=device_icc_profile(planted))
        return insert_jpeg_segments(out.getvalue(), extra)

    # The encoded size grows with the grain: halve the interval until it is within 10% under.
    low, high = 0.0, 1.0
    data = encoded(high)
    if len(data) < 0.9 * size_bytes and not exact:
        raise ValueError(f"{dimensions} at quality {quality} is at most {len(data)} bytes")
    for _ in range(12):
        if 0.9 * size_bytes <= len(data) <= size_bytes or (
            exact and len(data) <= size_bytes and high - low < 0.01
        ):
            break
        middle = (low + high) / 2
        data = encoded(middle)
        if len(data) > size_bytes:
            high = middle
        else:
            low = middle
    if len(data) > size_bytes or (not exact and len(data) < 0.9 * size_bytes):
        raise ValueError(f"could not make a {size_bytes}-byte JPEG at {dimensions} (last {len(data)})")
    return pad_jpeg(data, size_bytes) if exact else data


def heic_photo(
    dimensions: tuple[int, int] = (4032, 3024),
    *,
    quality: int = 60,
    orientation: int = 6,
    seed: int = 2,
    planted: Planted = PLANTED,
) -> bytes:
    """A phone's HEIC photo with EXIF (turned on its side, as phones store portrait photos) and XMP."""
    out = io.BytesIO()
    photo(dimensions, seed, grain=0.1).save(
        out,
        format="HEIF",
        quality=quality,
        enc_params={"preset": "ultrafast"},  # a phone's hardware encoder is quick; x265's default is not
        exif=camera_exif(planted, orientation).tobytes(),
        xmp=xmp_packet(planted),
    )
    return out.getvalue()


def png_screenshot(
    dimensions: tuple[int, int] = (1170, 2532), *, seed: int = 3, planted: Planted = PLANTED
) -> bytes:
    """A phone screenshot of a message thread, with tEXt, zTXt, iTXt, eXIf and iCCP chunks."""
    rnd = random.Random(seed)
    width, height = dimensions
    screen = Image.new("RGB", dimensions, (245, 245, 247))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, width, height // 12), fill=(30, 30, 35))
    y = height // 10
    while y < height - 200:
        mine = rnd.random() < 0.5
        box_width = rnd.randrange(width // 3, width * 3 // 4)
        x = width - box_width - 40 if mine else 40
        box_height = rnd.randrange(80, 260)
        draw.rounded_rectangle(
            (x, y, x + box_width, y + box_height), 36, fill=(0, 122, 255) if mine else (229, 229, 234)
        )
        for line in range(box_height // 40):
            draw.text(
                (x + 30, y + 20 + line * 36),
                f"They were outside again at {rnd.randrange(1, 12)}pm",
                fill=(0, 0, 0),
            )
        y += box_height + 30
    # A photo sent in the thread.
    screen.paste(photo((width * 2 // 3, height // 4), seed), (width // 6, height // 2))
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", planted.software)
    info.add_text("Author", planted.owner)
    info.add_text("Comment", planted.comment, zip=True)
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(planted).decode(), zip=False)
    info.add_itxt("Description", planted.model, lang="en", tkey="Description")
    out = io.BytesIO()
    screen.save(
        out,
        format="PNG",
        pnginfo=info,
        exif=camera_exif(planted),
        icc_profile=device_icc_profile(planted),
    )
    return out.getvalue()


def pdf_document(
    pages: int = 6,
    page_size: tuple[int, int] = (1654, 2339),
    *,
    quality: int = 88,
    seed: int = 4,
    planted: Planted = PLANTED,
) -> bytes:
    """A scanned multi-page letter (A4 at 200 dpi): /Info, an XMP stream, and EXIF in its page images."""
    images = [photo(page_size, seed + page, grain=0.2) for page in range(pages)]
    out = io.BytesIO()
    images[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=200.0,
        quality=quality,
        exif=camera_exif(planted).tobytes(),
        title=planted.title,
        author=planted.author,
        subject=planted.comment,
        keywords=planted.owner,
        creator=planted.creator,
        producer=planted.producer,
    )
    # Add the document's XMP metadata stream, uncompressed as most producers write it.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    stream = StreamObject()
    stream.set_data(xmp_packet(planted))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    writer.add_metadata({"/Author": planted.author, "/Title": planted.title, "/Producer": planted.producer})
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


# What a PDF may carry besides its pages, as word processors, scanner apps and forms write it.
PDF_EXTRAS = (
    "info",
    "xmp",
    "open_action_javascript",
    "page_actions",
    "document_javascript",
    "attached_file",
    "javascript_link",
    "form_script",
    "annotation_author",
    "image_metadata",
)


def pdf_carrying(extra: str, document: bytes, planted: Planted = PLANTED) -> bytes:
    """``document`` (a PDF of scanned pages) with one of ``PDF_EXTRAS`` added, written by qpdf."""
    pdf = pikepdf.open(io.BytesIO(document))

    def script() -> Dictionary:
        action = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(f"app.alert('{planted.script}');"))
        return pdf.make_indirect(action)

    first = pdf.pages[0].obj
    if extra == "info":
        pdf.trailer.Info = pdf.make_indirect(
            Dictionary(
                Author=String(planted.author), Title=String(planted.title), Creator=String(planted.creator)
            )
        )
    elif extra == "xmp":
        stream = pdf.make_stream(xmp_packet(planted))
        stream.Type, stream.Subtype = Name.Metadata, Name.XML
        pdf.Root.Metadata = stream
    elif extra == "open_action_javascript":
        pdf.Root.OpenAction = script()
    elif extra == "page_actions":
        first.AA = Dictionary(O=script(), C=script())  # when the page is shown, and left
    elif extra == "document_javascript":
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script()])))
    elif extra == "attached_file":
        spec = pikepdf.AttachedFileSpec(
            pdf, planted.attachment.encode(), description="notes", filename="notes.txt"
        )
        pdf.attachments["notes.txt"] = spec
    elif extra == "javascript_link":
        link = Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 72, 400, 120], Border=[0, 0, 0], A=script()
        )
        first.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
    elif extra == "form_script":
        field = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("total"),
            Rect=[72, 200, 300, 230],
            P=first,
            AA=Dictionary(K=script(), C=script()),  # on each key press; when another field changes
        )
        field = pdf.make_indirect(field)
        first.Annots = pdf.make_indirect(Array([field]))
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]), DA=String("/Helv 0 Tf 0 g"))
    elif extra == "annotation_author":
        note = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Text,
            Rect=[72, 700, 92, 720],
            Contents=String("They were outside again"),
            T=String(planted.owner),  # the author, as a PDF reader's comment tool writes it
            M=String("D:20261128224107Z"),
        )
        first.Annots = pdf.make_indirect(Array([pdf.make_indirect(note)]))
    elif extra == "image_metadata":
        for page in pdf.pages:
            for image in page.get_images().values():
                raw = image.read_raw_bytes()
                segments = [
                    _segment(0xFE, planted.address.encode()),
                    _segment(0xE1, camera_exif(planted).tobytes()),
                    _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(planted)),
                ]
                # A comment after the picture's scan too, where a progressive JPEG may keep one.
                marked = insert_jpeg_segments(raw, segments)
                marked = marked[:-2] + _segment(0xFE, planted.address.encode()) + b"\xff\xd9"
                image.write(marked, filter=Name.DCTDecode)
    else:
        raise ValueError(f"no such extra: {extra}")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_with_wrapped_jpeg() -> bytes:
    """A one-page PDF whose picture is a JPEG compressed again with Flate: rare, and not checked."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pdf.make_stream(zlib.compress(picture_bytes("JPEG", (64, 48))))
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width, image.Height, image.BitsPerComponent = 64, 48, 8
    image.ColorSpace = Name.DeviceRGB
    image.Filter = Array([Name.FlateDecode, Name.DCTDecode])
    pdf.pages[0].Resources = Dictionary(XObject=Dictionary(Im0=image))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_with_orphaned_xmp(planted: Planted = PLANTED) -> bytes:
    """A PDF with no document information whose XMP stream nothing refers to any more, as an
    editor that dropped a document's metadata may leave it: still there in the file's bytes."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    stream = StreamObject()
    stream.set_data(xmp_packet(planted))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    writer._add_object(stream)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def password_protected_pdf() -> bytes:
    """A PDF that opens only with a password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf())))
    writer.encrypt("open sesame", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def many_object_pdf(objects: int) -> bytes:
    """A one-page PDF that holds ``objects`` tiny objects: a few megabytes, costly to read whole."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    groups = ArrayObject()
    for first in range(0, objects, 5000):
        group = ArrayObject()
        for number in range(first, min(first + 5000, objects)):
            group.append(writer._add_object(DictionaryObject({NameObject("/N"): NumberObject(number)})))
        groups.append(writer._add_object(group))
    page[NameObject("/PieceInfo")] = writer._add_object(groups)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- What a stored file still says ----------------------------------------------------------------

_ALLOWED_JPEG_APP = {0xE0: b"JFIF\x00", 0xEE: b"Adobe"}  # the JFIF header; Adobe's colour transform
_PNG_METADATA_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"tIME"}


def _jpeg_findings(data: bytes) -> list[str]:
    found = []
    for marker, payload in jpeg_segments(data):
        if marker == 0xFE:
            found.append("a JPEG comment")
        elif 0xE0 <= marker <= 0xEF and not payload.startswith(_ALLOWED_JPEG_APP.get(marker, b"\xff")):
            found.append(f"an APP{marker - 0xE0} segment ({payload[:12]!r})")
    return found


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    types, position = [], 8
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        types.append(data[position + 4 : position + 8])
        position += 12 + length
    return types


def _image_findings(data: bytes) -> list[str]:
    found = []
    with Image.open(io.BytesIO(data)) as image:
        if len(image.getexif()):
            found.append("EXIF")
        found += [
            f"image info {key!r}"
            for key in image.info
            if key
            not in (
                "jfif",
                "jfif_version",
                "jfif_unit",
                "jfif_density",
                "dpi",
                "adobe",
                "adobe_transform",
                "progressive",
                "progression",
            )
        ]
        if image.format == "JPEG":
            found += _jpeg_findings(data)
        if image.format == "PNG":
            found += [
                f"a PNG {chunk.decode()} chunk" for chunk in png_chunks(data) if chunk in _PNG_METADATA_CHUNKS
            ]
    return found


def jpeg_markers(data: bytes) -> list[int]:
    """Every marker in a JPEG, those after its scans included (the picture data is skipped)."""
    markers, position = [], 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            position += 1  # picture data: a 0xFF in it is followed by 0x00 or a restart marker
            continue
        marker = data[position + 1]
        if marker in (0x00, 0xFF):
            position += 1
            continue
        markers.append(marker)
        if marker == 0xD9:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or position + 4 > len(data):
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


# Keys that carry what runs, fetches or is attached in a PDF: none may be kept.
_PDF_ACTIVE_KEYS = ("/OpenAction", "/AA", "/JavaScript", "/JS", "/EmbeddedFiles", "/EF", "/AF", "/XFA")


def pdf_active_content(data: bytes) -> list[str]:
    """What a PDF still carries that runs, fetches, attaches or describes it, read with pikepdf."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Info" in pdf.trailer:
            found.append("a PDF /Info dictionary")
        if len(pdf.attachments):
            found.append(f"attached files {list(pdf.attachments)}")
        pending: list[object] = [*pdf.objects, pdf.trailer]
        while pending:
            obj = pending.pop()
            if isinstance(obj, pikepdf.Array):
                pending.extend(item for item in obj if not getattr(item, "is_indirect", True))
                continue
            if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                continue
            found += [f"a PDF {key}" for key in _PDF_ACTIVE_KEYS if key in obj]
            for key in ("/A", "/PA"):
                if isinstance(obj.get(key), pikepdf.Dictionary) and "/S" in obj[key]:
                    found.append(f"a PDF action under {key}")
            described = "/Metadata" in obj or obj.get("/Type") in ("/Metadata", "/EmbeddedFile")
            if described and (not isinstance(obj, pikepdf.Stream) or obj.read_raw_bytes()):
                found.append(f"a PDF {obj.get('/Type', 'object with /Metadata')}")
            if obj.get("/Type") == "/Annot" and obj.get("/Subtype") != "/Widget" and "/T" in obj:
                found.append("an annotation's author")
            if obj.get("/Subtype") == "/FileAttachment":
                found.append("a PDF file attachment annotation")
            if isinstance(obj, pikepdf.Stream) and obj.get("/Filter") == "/DCTDecode":
                raw = obj.read_raw_bytes()
                markers = jpeg_markers(raw)
                after_scan = markers[markers.index(0xDA) :] if 0xDA in markers else []
                found += [f"a page image's {what}" for what in _jpeg_findings(raw)]
                if 0xFE in after_scan or any(0xE1 <= marker <= 0xED for marker in after_scan):
                    found.append("a page image's comment or APPn segment after its scans")
            pending.extend(value for _key, value in obj.items() if not getattr(value, "is_indirect", True))
    return found


def _pdf_findings(data: bytes) -> list[str]:
    found = pdf_active_content(data)
    reader = PdfReader(io.BytesIO(data))
    if reader.metadata:
        found.append(f"PDF /Info {sorted(reader.metadata)}")
    if "/Info" in reader.trailer:
        found.append("a PDF /Info dictionary")
    numbers = set(reader.xref_objStm)
    for entries in reader.xref.values():
        numbers.update(entries)
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if not isinstance(obj, DictionaryObject):
            continue
        if "/Metadata" in obj or obj.get("/Type") == "/Metadata":
            found.append(f"a PDF XMP metadata stream (object {number})")
        if isinstance(obj, StreamObject) and obj.get("/Filter") == "/DCTDecode":
            found += [f"page image {number}: {what}" for what in _jpeg_findings(obj.get_data())]
    return found


def metadata_found(data: bytes, planted: Planted = PLANTED) -> list[str]:
    """What metadata a stored evidence file still carries: empty when it is clean."""
    found = [f"the planted words {word!r}" for word in planted.strings() if word in data]
    if data.startswith(b"%PDF"):
        found += _pdf_findings(data)
        # Compressed streams hide words from a plain search: look inside them too.
        for match in re.finditer(rb"stream\r?\n", data):
            try:
                inflated = zlib.decompressobj().decompress(data[match.end() : match.end() + 4 * MB])
            except zlib.error:
                continue
            found += [
                f"the planted words {word!r} in a stream" for word in planted.strings() if word in inflated
            ]
    else:
        found += _image_findings(data)
    return found


# --- Small pictures for tests that need a valid image --------------------------------------------


def picture_bytes(format: str, size: tuple[int, int] = (4, 3), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=format, **options)
    return out.getvalue()


def jpeg_with_comment(text: str = PLANTED.address) -> bytes:
    """A phone photo (two megapixels) whose JPEG comment segment says where the resident lives."""
    out = io.BytesIO()
    photo((1632, 1224), seed=21).save(out, format="JPEG", quality=88, comment=text.encode())
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A small phone photo that says where it was taken, and on what camera."""
    exif = Image.Exif()
    exif[0x010F] = "Resident's Phone Co"  # make
    exif[0x0131] = "Camera app 1.0"  # software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (53.0, 17.0, 24.0)
    gps[3] = "W"
    gps[4] = (1.0, 24.0, 36.0)
    return picture_bytes("JPEG", (64, 48), exif=exif)


def decompression_bomb() -> bytes:
    """A small file that would unpack to 200 million pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


def png_header_only(size: tuple[int, int]) -> bytes:
    """A PNG whose header says ``size`` but whose picture data is cut short: unpacking it fails."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", *size, 8, 2, 0, 0, 0)  # 8-bit RGB
    start = zlib.compress(b"\x00" * 1024)[:12]
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", start) + chunk(b"IEND", b"")


def small_pdf() -> bytes:
    """A one-page PDF of a few kilobytes, with an author."""
    out = io.BytesIO()
    Image.new("RGB", (120, 170), (250, 250, 250)).save(out, format="PDF", author=PLANTED.author)
    return out.getvalue()


def exact_size_pdf(size_bytes: int) -> bytes:
    """A one-page PDF of exactly ``size_bytes`` with no metadata at all: the portal keeps it as sent."""

    def written(padding: int) -> bytes:
        writer = PdfWriter()
        page = writer.add_blank_page(595, 842)
        contents = StreamObject()
        # A content stream of one comment: a valid, blank page of the size asked for.
        contents.set_data(b"%" + b"x" * padding + b"\n")
        page[NameObject("/Contents")] = writer._add_object(contents)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    padding = size_bytes - len(written(0))
    for _ in range(4):
        data = written(padding)
        if len(data) == size_bytes:
            return data
        padding -= len(data) - size_bytes  # the stream's /Length grew by a few digits
    raise ValueError(f"could not make a PDF of exactly {size_bytes} bytes (made {len(data)})")


def numbered(data: bytes, padding: bytes, number: int) -> bytes:
    """``data`` with its first run of ``padding`` bytes marked with ``number``: another file, as big."""
    run = padding * 16
    at = data.index(run)
    mark = f"{number:016d}".encode()
    return data[:at] + mark + data[at + len(mark) :]


PNG = picture_bytes("PNG")


# --- Made once per test run ----------------------------------------------------------------------


class EvidenceFiles:
    """Each kind of evidence file made once into ``folder`` and read back from there after."""

    KINDS: ClassVar[dict[str, Callable[[], bytes]]] = {
        "camera_3mb.jpg": lambda: camera_jpeg(3 * MB, (3264, 2448), quality=90, seed=11),
        "camera_6mb.jpg": lambda: camera_jpeg(6 * MB, seed=12),
        "camera_9mb.jpg": lambda: camera_jpeg(9 * MB, quality=95, orientation=6, seed=13),
        "camera_12mb.jpg": lambda: camera_jpeg(12 * MB, (6000, 4000), seed=14),
        "camera_exact_limit.jpg": lambda: camera_jpeg(10 * MB, quality=95, exact=True, seed=15),
        "camera_exact_limit_2.jpg": lambda: camera_jpeg(10 * MB, quality=95, exact=True, seed=16),
        "camera_exact_limit_3.jpg": lambda: camera_jpeg(10 * MB, quality=95, exact=True, seed=17),
        "portrait.heic": heic_photo,
        "screenshot.png": png_screenshot,
        "letter.pdf": pdf_document,
        "statement.pdf": lambda: pdf_document(pages=12, page_size=(1240, 1754), seed=40),
    }

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The file called ``name`` (one of ``KINDS``), made the first time it is asked for."""
        path = self.folder / name
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.write_bytes(self.KINDS[name]())
            partial.rename(path)
        return path

    def bytes(self, name: str) -> bytes:
        return self.path(name).read_bytes()
