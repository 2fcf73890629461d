"""Named practice accounts in the window's data folder (one per trainee): list, switch, create, reset, delete.

Works through the bridge, which owns the store: a switch saves the account on screen, opens the other one and
hands its session to the bridge (whose next frame has ``reset`` set, so every view starts over). Refusals come
back as text for the order form's message line, never as an exception.
"""
from __future__ import annotations

from pathlib import Path

from terminal.store.account_store import (
    AccountStore,
    StoreError,
    create_account,
    delete_account,
    list_accounts,
    set_active_account,
)
from ui.services.bridge import SessionBridge
from ui.services.sessions import fresh_session


class Accounts:
    def __init__(self, bridge: SessionBridge) -> None:
        self.bridge = bridge

    @property
    def saved(self) -> bool:
        return self.bridge.store is not None

    @property
    def data_dir(self) -> Path | None:
        store = self.bridge.store
        return None if store is None else Path(store.data_dir)

    @property
    def name(self) -> str | None:
        return getattr(self.bridge.store, "name", None)

    @property
    def path(self) -> Path | None:
        return getattr(self.bridge.store, "path", None)

    def names(self) -> list[str]:
        return list_accounts(self.data_dir) if self.data_dir else []

    def switch(self, name: str) -> str | None:
        """Save and close this account, open ``name`` (the active account from now on); None, or why not."""
        data_dir, old = self.data_dir, self.bridge.store
        if data_dir is None or old is None or name == old.name:
            return None
        self.bridge.save()
        try:
            new = AccountStore.open(data_dir, name)
        except StoreError as exc:
            return str(exc)
        try:  # nothing changes on screen or on disk until the other account is open and remembered
            session = new.load_session()
            set_active_account(data_dir, name)
        except StoreError as exc:
            new.close()
            return str(exc)
        old.close()
        self.bridge.store = new
        self.bridge.set_session(session)
        return None

    def create(self, name: str, wallets_minor: dict[str, int]) -> str | None:
        if self.data_dir is None:
            return None
        try:
            create_account(self.data_dir, name, wallets_minor)
        except StoreError as exc:
            return str(exc)
        return self.switch(name)

    def reset(self, wallets_minor: dict[str, int] | None = None) -> None:
        """Start this account again with ``wallets_minor`` (default: 1 XBT and 10,000 USDT)."""
        store = self.bridge.store
        session = store.reset(wallets_minor) if store is not None else fresh_session()
        self.bridge.set_session(session)

    def delete(self, name: str) -> str | None:
        if self.data_dir is None:
            return None
        if name == self.name:
            return "Switch to another account before deleting this one."
        try:
            delete_account(self.data_dir, name)
        except StoreError as exc:
            return str(exc)
        return None
