"""The Office add-in manifest, rendered for the configured public base URL and environment.

The repository's ``manifest.xml`` is this template rendered with the default settings (a test
keeps them equal). The ``<Id>`` is a UUID5 of environment + base URL: stable for one
deployment across restarts, different for dev and prod, so both can be installed side by side.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from backend.settings import Settings

NAMESPACE = uuid.UUID("6f1c7a52-4b8e-4f0e-9a51-0c2d5e7b9a10")
VERSION = "1.0.0.0"

# (control id, label, tooltip, FunctionName or None for "open the task pane")
BUTTONS = (
    ("SignIn", "Sign in", "Open the Ledger Layer pane and sign in with your API token.", None),
    ("Extract", "Extract leases", "Read the lease sheet, store the drafts and mark every cell with a problem.",
     "extractLeases"),
    ("Validate", "Validate", "Send your edits of the selected lease rows and check them again.", "validateLeases"),
    ("Confirm", "Confirm", "Confirm the selected lease rows; schedules and journals are computed.", "confirmLeases"),
    ("Schedule", "Pull schedule", "Write the monthly schedules of the selected leases to a sheet.", "pullSchedule"),
    ("Journals", "Pull journals", "Write journal entries (your filter in the pane) to the Journals sheet.",
     "pullJournals"),
    ("Approve", "Approve selected", "Approve the journal entries of the selected rows (four eyes apply).",
     "approveSelected"),
    ("Export", "Export", "Write the ERP export (approved lines with GL accounts) to a sheet.", "exportJournals"),
    ("Disclosures", "Disclosure pack", "Write the lease disclosure pack (entity, period, standard in the pane) as "
     "sheets, with its tie-out status.", "disclosurePack"),
    ("ExtractContracts", "Extract contracts", "Read the revenue contract sheets and store the drafts with their issues.",
     "extractContracts"),
    ("ValidateContracts", "Validate contracts", "Validate the selected rows of the Revenue contracts sheet.",
     "validateContracts"),
    ("ConfirmContracts", "Confirm contracts", "Confirm the selected contracts; both books are recognised.",
     "confirmContracts"),
    ("RevenueSchedule", "Revenue schedule + RPO", "Write revenue schedules and remaining performance obligations.",
     "pullRevenueSchedules"),
)


class ManifestError(ValueError):
    pass


def manifest_id(settings: Settings) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{settings.environment}|{base_url(settings)}"))


def base_url(settings: Settings) -> str:
    url = settings.public_base_url.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError("LEDGER_PUBLIC_BASE_URL must be an https:// address: Office loads add-ins over HTTPS only.")
    return url


def function_names() -> list[str]:
    return [fn for *_, fn in BUTTONS if fn]


def _control(cid: str, fn: str | None) -> str:
    action = (f'<Action xsi:type="ExecuteFunction"><FunctionName>{fn}</FunctionName></Action>' if fn else
              '<Action xsi:type="ShowTaskpane"><TaskpaneId>LedgerLayer.Pane</TaskpaneId>'
              '<SourceLocation resid="Taskpane.Url"/></Action>')
    return f"""
              <Control xsi:type="Button" id="LL.{cid}">
                <Label resid="{cid}.Label"/>
                <Supertip><Title resid="{cid}.Label"/><Description resid="{cid}.Tip"/></Supertip>
                <Icon><bt:Image size="16" resid="Icon.16"/><bt:Image size="32" resid="Icon.32"/><bt:Image size="80" resid="Icon.80"/></Icon>
                {action}
              </Control>"""


def render(settings: Settings) -> str:
    base = base_url(settings)
    host = urlsplit(base).netloc
    env = "" if settings.environment == "production" else f" ({settings.environment})"
    controls = "".join(_control(cid, fn) for cid, _, _, fn in BUTTONS)
    labels = "".join(f'\n        <bt:String id="{cid}.Label" DefaultValue="{escape(label)}"/>'
                     for cid, label, _, _ in BUTTONS)
    tips = "".join(f'\n        <bt:String id="{cid}.Tip" DefaultValue="{escape(tip)}"/>' for cid, _, tip, _ in BUTTONS)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by backend/addin/manifest.py for {escape(base)}; served at /addin/manifest.xml. -->
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
           xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
           xmlns:ov="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
           xsi:type="TaskPaneApp">
  <Id>{manifest_id(settings)}</Id>
  <Version>{VERSION}</Version>
  <ProviderName>Ledger Layer</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  <DisplayName DefaultValue="Ledger Layer{escape(env)}"/>
  <Description DefaultValue="Lease accounting in Excel: extract, confirm, schedules, journals and approvals."/>
  <IconUrl DefaultValue="{base}/addin/assets/icon-32.png"/>
  <HighResolutionIconUrl DefaultValue="{base}/addin/assets/icon-80.png"/>
  <SupportUrl DefaultValue="{base}/addin/taskpane.html"/>
  <AppDomains>
    <AppDomain>https://{host}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook"/>
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1"/>
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue="{base}/addin/taskpane.html"/>
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides" xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long"/>
        </Runtimes>
        <DesktopFormFactor>
          <GetStarted>
            <Title resid="GetStarted.Title"/>
            <Description resid="GetStarted.Tip"/>
            <LearnMoreUrl resid="Taskpane.Url"/>
          </GetStarted>
          <FunctionFile resid="Taskpane.Url"/>
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <CustomTab id="LedgerLayer.Tab">
              <Group id="LedgerLayer.Group">
                <Label resid="Group.Label"/>
                <Icon><bt:Image size="16" resid="Icon.16"/><bt:Image size="32" resid="Icon.32"/><bt:Image size="80" resid="Icon.80"/></Icon>{controls}
              </Group>
              <Label resid="Tab.Label"/>
            </CustomTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
        <bt:Image id="Icon.16" DefaultValue="{base}/addin/assets/icon-16.png"/>
        <bt:Image id="Icon.32" DefaultValue="{base}/addin/assets/icon-32.png"/>
        <bt:Image id="Icon.80" DefaultValue="{base}/addin/assets/icon-80.png"/>
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue="{base}/addin/taskpane.html"/>
      </bt:Urls>
      <bt:ShortStrings>
        <bt:String id="Tab.Label" DefaultValue="Ledger Layer"/>
        <bt:String id="Group.Label" DefaultValue="Leases and journals"/>
        <bt:String id="GetStarted.Title" DefaultValue="Ledger Layer is ready"/>{labels}
      </bt:ShortStrings>
      <bt:LongStrings>
        <bt:String id="GetStarted.Tip" DefaultValue="Open the Ledger Layer tab and click Sign in."/>{tips}
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""
