"""An offline checker for the add-in-only XML manifest (``office-addin-manifest validate``
needs the network). Returns a list of problems; empty means it passed."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = f"{{{NS['xsi']}}}type"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
REQUIRED = ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl",
            "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements", "DefaultSettings",
            "Permissions", "VersionOverrides"]
# element local name holding a resid → the resource collection it must point into
RESID_KIND = {"Image": "Images", "Label": "ShortStrings", "Title": "ShortStrings", "Description": "LongStrings",
              "SourceLocation": "Urls", "FunctionFile": "Urls", "Runtime": "Urls", "LearnMoreUrl": "Urls"}
MAX_LEN = {"ShortStrings": 125, "LongStrings": 250}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def check(xml: str) -> tuple[list[str], dict]:
    problems: list[str] = []
    try:
        root = ET.fromstring(xml.encode())
    except ET.ParseError as e:
        return [f"not well-formed: {e}"], {}
    if _local(root.tag) != "OfficeApp" or root.get(XSI_TYPE) != "TaskPaneApp":
        problems.append("root must be OfficeApp xsi:type=TaskPaneApp")
    children = [_local(c.tag) for c in root]
    order = [c for c in children if c in REQUIRED]
    for name in REQUIRED:
        if name not in children:
            problems.append(f"missing <{name}>")
    if order != [n for n in REQUIRED if n in order]:
        problems.append(f"top-level elements out of order: {order}")
    ident = root.findtext("o:Id", default="", namespaces=NS)
    if not GUID.match(ident):
        problems.append(f"<Id> is not a GUID: {ident!r}")
    if not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", root.findtext("o:Version", default="", namespaces=NS)):
        problems.append("<Version> must look like 1.0.0.0")
    urls = [el.get("DefaultValue") for el in root.iter() if (el.get("DefaultValue") or "").startswith("http")]
    urls += [el.text.strip() for el in root.iter() if _local(el.tag) == "AppDomain" and el.text]
    problems += [f"not HTTPS: {u}" for u in urls if not u.startswith("https://")]

    resources: dict[str, dict[str, str]] = {}
    for coll in ("Images", "Urls", "ShortStrings", "LongStrings"):
        found = root.find(f".//bt:{coll}", NS)
        items = {} if found is None else {el.get("id"): el.get("DefaultValue") or "" for el in found}
        resources[coll] = items
        for rid, value in items.items():
            if len(rid) > 32:
                problems.append(f"resource id longer than 32 characters: {rid}")
            if coll in MAX_LEN and len(value) > MAX_LEN[coll]:
                problems.append(f"{coll} {rid} longer than {MAX_LEN[coll]} characters")
    for el in root.iter():
        rid = el.get("resid")
        if rid is None:
            continue
        kind = RESID_KIND.get(_local(el.tag))
        if kind is None or rid not in resources.get(kind, {}):
            problems.append(f"<{_local(el.tag)} resid={rid!r}> does not resolve to a {kind} resource")
    for icon in root.iter(f"{{{NS['o']}}}Icon"):
        problems += _icon_sizes(icon)
    for icon in root.iter(f"{{{NS['ov']}}}Icon"):
        problems += _icon_sizes(icon)
    ids = [c.get("id") for c in root.iter() if _local(c.tag) == "Control"]
    if len(ids) != len(set(ids)):
        problems.append("Control ids are not unique")
    source = root.find("o:DefaultSettings/o:SourceLocation", NS)
    domains = {urlsplit(d.text.strip()).netloc for d in root.iter() if _local(d.tag) == "AppDomain"}
    if source is None or urlsplit(source.get("DefaultValue", "")).netloc not in domains:
        problems.append("SourceLocation host is not in AppDomains")
    info = {
        "id": ident,
        "function_names": [el.text for el in root.iter() if _local(el.tag) == "FunctionName"],
        "tab_label": resources["ShortStrings"].get(_tab_label_id(root)),
        "buttons": [resources["ShortStrings"].get(c.find("ov:Label", NS).get("resid"))
                    for c in root.iter() if _local(c.tag) == "Control"],
        "image_urls": sorted(resources["Images"].values()) + [
            root.find("o:IconUrl", NS).get("DefaultValue"), root.find("o:HighResolutionIconUrl", NS).get("DefaultValue")],
        "urls": urls,
    }
    return problems, info


def _icon_sizes(icon) -> list[str]:
    sizes = {img.get("size") for img in icon if _local(img.tag) == "Image"}
    return [] if {"16", "32", "80"} <= sizes else [f"an <Icon> lacks sizes {sorted({'16', '32', '80'} - sizes)}"]


def _tab_label_id(root) -> str | None:
    tab = next((el for el in root.iter() if _local(el.tag) == "CustomTab"), None)
    label = None if tab is None else tab.find("ov:Label", NS)
    return None if label is None else label.get("resid")
