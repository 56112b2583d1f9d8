import re

from playwright.sync_api import expect

from tests.factories import PASSWORD


def test_sign_in_page_shows_the_identification_form_in_french(page):
    page.goto("/compte/connexion/")

    expect(page).to_have_title(re.compile("Connexion"))
    expect(page.get_by_role("heading", name="Identification")).to_be_visible()
    expect(page.get_by_label("E-mail, N° d'Assurance Maladie ou N° FINESS")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    expect(page.get_by_role("button", name="VOUS CONNECTER")).to_be_visible()
    expect(page.get_by_text("3608")).to_be_visible()


def test_doctor_signs_in_sees_their_name_and_signs_out(page, sign_in, medecin):
    sign_in(medecin.email, PASSWORD)

    expect(page.get_by_test_id("user-name")).to_have_text("Dr Sophie GÉNÉRALISTE")
    page.get_by_role("button", name="Déconnexion").click()

    expect(page.get_by_role("heading", name="Identification")).to_be_visible()


def test_wrong_password_shows_the_message_next_to_the_form(page, sign_in, medecin):
    sign_in(medecin.email, "pas-le-bon")

    expect(page.get_by_text("Identifiant ou mot de passe incorrect")).to_be_visible()
    expect(page.get_by_label("E-mail, N° d'Assurance Maladie ou N° FINESS")).to_have_value(
        medecin.email
    )


def test_unknown_page_shows_the_french_404(page, db):
    response = page.goto("/nulle-part/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()


def test_layout_fits_a_phone_screen(page, sign_in, medecin):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(medecin.email, PASSWORD)

    menu = page.get_by_role("button", name="Ouvrir le menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_harness_reports_accessibility_violations_and_console_errors(page, db):
    page.goto("/compte/connexion/")
    page.checker.wait_idle()
    # axe ran when the page loaded, and found nothing serious.
    assert page.checker.checked_urls == [page.url]
    assert page.checker.accessibility == []

    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<button type=\"button\"></button>'); console.error('boom')"
    )
    page.checker.check_accessibility()

    assert any("button-name" in v for v in page.checker.accessibility)
    assert any("boom" in e for e in page.checker.console_errors)
    # Undo, or the fixture would (rightly) fail this test.
    page.evaluate("document.querySelector('main > button[type=button]').remove()")
    page.checker.accessibility.clear()
    page.checker.console_errors.clear()
