"""Two logged-in users chat in Chromium through real daphne; HTML in a message stays text."""

from urllib.parse import quote

import pytest
from playwright.async_api import expect

from tests import processes
from tests.browser import log_in

pytestmark = pytest.mark.browser

ROOM = "值班室 incident #1"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\"><b>bold?</b> & done"


async def test_two_users_chat_and_html_is_shown_as_text(alice, bob, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        pages = {}
        for user, password in (("alice", "correct horse battery"), ("bob", "another staple")):
            page = await (await browser.new_context()).new_page()
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            await log_in(page, base_url, username=user, password=password)
            # The room list's form opens (and names) the room.
            await page.goto(f"{base_url}/chat/")
            await page.fill("input[name=room]", ROOM)
            await page.click(".open-room button")
            await expect(page).to_have_url(f"{base_url}/chat/{quote(ROOM)}/")
            await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            pages[user] = (page, errors)

        alice_page, bob_page = pages["alice"][0], pages["bob"][0]
        await expect(alice_page.locator(".chat-presence")).to_have_text("here: alice, bob")

        await bob_page.fill(".chat-form input", HOSTILE)
        await bob_page.press(".chat-form input", "Enter")
        message = alice_page.locator(".chat-messages li").last
        await expect(message.locator(".chat-text")).to_have_text(HOSTILE)
        await expect(message.locator(".chat-meta")).to_contain_text("bob")
        assert await alice_page.locator(".chat-messages img, .chat-messages b").count() == 0
        assert await alice_page.title() != "pwned"

        # Too long: the server says why, in the sender's page only.
        await bob_page.fill(".chat-form input", "")
        await bob_page.evaluate("document.querySelector('.chat-form input').removeAttribute('maxlength')")
        await bob_page.fill(".chat-form input", "x" * 2001)
        await bob_page.press(".chat-form input", "Enter")
        await expect(bob_page.locator(".chat-error")).to_have_text("Message too long: 2001 characters, at most 2000.")

        # The room list, in another tab of alice's, counts both people in the room.
        room_list = await alice_page.context.new_page()
        await room_list.goto(f"{base_url}/chat/")
        row = room_list.locator("#rooms tr", has_text=ROOM)
        await expect(row.locator("[data-members]")).to_have_text("2")
        await expect(row.locator("td").nth(2)).to_have_text("1")  # one message saved
        assert pages["alice"][1] == []
        assert pages["bob"][1] == []
